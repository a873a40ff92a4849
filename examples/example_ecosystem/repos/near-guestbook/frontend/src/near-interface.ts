import { providers, utils } from "near-api-js";
import type { WalletSelector } from "@near-wallet-selector/core";

/** A message as returned by the contract's `get_messages` view. */
export interface PostedMessage {
  sender: string;
  text: string;
  kind: "Plain" | "Premium" | { Pinned: { by: string } };
  block_height: number;
}

const THIRTY_TGAS = "30000000000000";

/**
 * Converts a human-readable NEAR amount such as "0.25" into yoctoNEAR.
 * Returns "0" for empty input so that calls without a tip still work.
 */
export function toYocto(amount: string): string {
  if (!amount.trim()) {
    return "0";
  }
  return utils.format.parseNearAmount(amount) ?? "0";
}

/**
 * Thin wrapper around the guestbook contract: view calls go straight to RPC,
 * change calls are signed by the wallet the user selected.
 */
export class GuestbookContract {
  private readonly provider: providers.JsonRpcProvider;

  constructor(
    private readonly contractId: string,
    private readonly selector: WalletSelector,
    nodeUrl = "https://rpc.testnet.near.org",
  ) {
    this.provider = new providers.JsonRpcProvider({ url: nodeUrl });
  }

  /** Calls a read-only contract method and decodes its JSON result. */
  private async view<T>(method: string, args: Record<string, unknown> = {}): Promise<T> {
    const encoded = Buffer.from(JSON.stringify(args)).toString("base64");
    const response: any = await this.provider.query({
      request_type: "call_function",
      account_id: this.contractId,
      method_name: method,
      args_base64: encoded,
      finality: "optimistic",
    });
    return JSON.parse(Buffer.from(response.result).toString()) as T;
  }

  /** Fetches the latest `limit` messages, newest last. */
  async latestMessages(limit = 10): Promise<PostedMessage[]> {
    const total = await this.view<number>("total_messages");
    const fromIndex = Math.max(total - limit, 0);
    return this.view<PostedMessage[]>("get_messages", { from_index: fromIndex, limit });
  }

  /**
   * Signs the guestbook with `text`, attaching `tip` NEAR.
   * A tip of at least 0.1 NEAR makes the message premium.
   */
  async addMessage(text: string, tip = "0"): Promise<void> {
    const wallet = await this.selector.wallet();
    await wallet.signAndSendTransaction({
      receiverId: this.contractId,
      actions: [
        {
          type: "FunctionCall",
          params: {
            methodName: "add_message",
            args: { text },
            gas: THIRTY_TGAS,
            deposit: toYocto(tip),
          },
        },
      ],
    });
  }

  isSignedIn(): boolean {
    return this.selector.isSignedIn();
  }
}
