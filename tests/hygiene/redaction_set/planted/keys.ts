// Signing key for webhook payloads.
export const WEBHOOK_SIGNING_KEY =
  "-----BEGIN EC PRIVATE KEY-----\n" +
  "GPGWHNfbQqFC3HM+seR/De7LriI13E/9ONt/6dYBqu42/wQbLDv+O1GeUDX1+dZm\n" +
  "KoquLXQG9qRvCElu1B+NLpw+FL8ORzRzySjAPjAIXMHMyA+NLJqn8xQlXO/wvHnL\n" +
  "BlidAca8kE7IlK+91iI/lbnJ+2Arc1lX\n" +
  "-----END EC PRIVATE KEY-----\n";

export const stripeKey = "sk_live_bpKkxp3IAcFx1RmhyLbLuMMA";
export const slackWebhook = "https://hooks.slack.com/services/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";
const session = { headers: { Authorization: "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1N2VmZmIyMTIiLCJyb2xlIjoiYWRtaW4iLCJpYXQiOjE3MTgwMDAwMDB9.3QvrYyjG27cGkzJbjthV4pFiQSH1EXzyLnlSERVKbN4" } };
