import { setupWalletSelector } from "@near-wallet-selector/core";
import { setupMyNearWallet } from "@near-wallet-selector/my-near-wallet";
import { GuestbookContract, PostedMessage } from "./near-interface";

const CONTRACT_ID = "guestbook.codetune-example.testnet";

/** Escapes text so that it can be inserted into HTML safely. */
function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** Renders the list of messages, highlighting premium and pinned ones. */
function renderMessages(list: HTMLElement, messages: PostedMessage[]): void {
  list.innerHTML = messages
    .map((message) => {
      const badge = typeof message.kind === "string" ? message.kind.toLowerCase() : "pinned";
      return `<li class="${badge}"><strong>${escapeHtml(message.sender)}</strong> ${escapeHtml(message.text)}</li>`;
    })
    .join("");
}

function readForm(form: HTMLFormElement): { text: string; tip: string } {
  const data = new FormData(form);
  return {
    text: String(data.get("message") ?? ""),
    tip: String(data.get("tip") ?? "0"),
  };
}

/** Wires the form and message list to the contract once the page has loaded. */
async function main(): Promise<void> {
  const selector = await setupWalletSelector({
    network: "testnet",
    modules: [setupMyNearWallet()],
  });
  const contract = new GuestbookContract(CONTRACT_ID, selector);
  const list = document.querySelector<HTMLElement>("#messages")!;
  const form = document.querySelector<HTMLFormElement>("#sign-form")!;

  renderMessages(list, await contract.latestMessages());

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!contract.isSignedIn()) {
      alert("Please sign in with your wallet first.");
      return;
    }
    const { text, tip } = readForm(form);
    await contract.addMessage(text, tip);
    form.reset();
    renderMessages(list, await contract.latestMessages());
  });
}

main().catch((error) => console.error("Guestbook failed to start", error));
