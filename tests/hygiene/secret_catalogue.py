"""The coverage catalogue: one sample of each token format in gitleaks' rule list (its 222 rule ids), written
by us from each vendor's documented token shape, or the reason we leave the format alone.

A sample is a line as code or config writes it, with the secret between ⟦ and ⟧; inside, `{A32}` stands for
32 random characters of a class (A mixed alphanumeric, l lowercase alphanumeric, h/H hex, d digits,
U uppercase alphanumeric, b base64, u URL-safe base64, L letters). Values come from a seeded generator, so
every run checks the same tokens. `benchmarks/secret_coverage.py` prints the table in `docs/secrets.md`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

CLASSES = {
    "A": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "l": "abcdefghijklmnopqrstuvwxyz0123456789",
    "h": "0123456789abcdef",
    "H": "0123456789ABCDEF",
    "d": "0123456789",
    "U": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "b": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    "u": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
    "L": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
}

# The rule ids of gitleaks' config/gitleaks.toml (222 rules), the catalogue coverage is counted against.
CATALOGUE_SIZE = 222

SAMPLES: dict[str, str] = {
    "1password-secret-key": 'OP_SECRET_KEY="⟦A3-{U6}-{U11}-{U5}-{U5}-{U5}⟧"',
    "1password-service-account-token": "export OP_SERVICE_ACCOUNT_TOKEN=⟦ops_eyJ{b260}⟧",
    "adafruit-api-key": 'ADAFRUIT_IO_KEY = "⟦{l32}⟧"',
    "adobe-client-secret": 'adobe:\n  client_secret: "⟦p8e-{A32}⟧"',
    "age-secret-key": "# age key file\n⟦AGE-SECRET-KEY-1{U58}⟧",
    "airtable-api-key": 'const airtableKey = "⟦{l17}⟧";',
    "airtable-personnal-access-token": 'AIRTABLE_TOKEN = "⟦pat{A14}.{h64}⟧"',
    "algolia-api-key": 'ALGOLIA_ADMIN_KEY="⟦{l32}⟧"',
    "alibaba-access-key-id": 'access_key_id = "⟦LTAI{A20}⟧"',
    "alibaba-secret-key": 'alibaba_secret_key: "⟦{l30}⟧"',
    "anthropic-admin-api-key": 'ANTHROPIC_ADMIN_KEY="⟦sk-ant-admin01-{u93}AA⟧"',
    "anthropic-api-key": 'client = Anthropic(api_key="⟦sk-ant-api03-{u93}AA⟧")',
    "artifactory-api-key": 'ARTIFACTORY_KEY="⟦AKCp{A69}⟧"',
    "artifactory-reference-token": "password: ⟦cmVmd{A59}⟧",
    "asana-client-secret": 'ASANA_CLIENT_SECRET = "⟦{l32}⟧"',
    "atlassian-api-token": 'JIRA_API_TOKEN="⟦{l24}⟧"',
    "authress-service-client-access-key": 'AUTHRESS_KEY="⟦sc_{l20}.{l5}.acc_{l20}.{u60}⟧"',
    "aws-access-token": "aws_access_key_id = ⟦AKIA{U16}⟧",
    "aws-amazon-bedrock-api-key-long-lived": "AWS_BEARER_TOKEN_BEDROCK=⟦ABSK{b130}⟧",
    "aws-amazon-bedrock-api-key-short-lived": (
        "AWS_BEARER_TOKEN_BEDROCK=⟦bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t{b80}⟧"
    ),
    "azure-ad-client-secret": 'AZURE_CLIENT_SECRET="⟦{A3}8Q~{u34}⟧"',
    "beamer-api-token": 'beamer_api_key = "⟦b_{u44}⟧"',
    "bitbucket-client-secret": 'BITBUCKET_CLIENT_SECRET="⟦{u64}⟧"',
    "bittrex-access-key": 'bittrex_access_key = "⟦{l32}⟧"',
    "bittrex-secret-key": 'bittrex_secret_key = "⟦{l32}⟧"',
    "cisco-meraki-api-key": 'MERAKI_DASHBOARD_API_KEY="⟦{h40}⟧"',
    "clickhouse-cloud-api-secret-key": 'CLICKHOUSE_KEY_SECRET="⟦4b1d{A38}⟧"',
    "clojars-api-token": "CLOJARS_DEPLOY_TOKEN=⟦CLOJARS_{l60}⟧",
    "cloudflare-api-key": 'CLOUDFLARE_API_TOKEN="⟦{u40}⟧"',
    "cloudflare-global-api-key": 'cloudflare_global_api_key = "⟦{h37}⟧"',
    "cloudflare-origin-ca-key": 'CF_ORIGIN_CA_KEY="⟦v1.0-{h24}-{h146}⟧"',
    "codecov-access-token": "CODECOV_TOKEN=⟦{l32}⟧",
    "cohere-api-token": 'co = cohere.Client(api_key="⟦{A40}⟧")',
    "coinbase-access-token": 'COINBASE_API_SECRET="⟦{u64}⟧"',
    "confluent-access-token": 'CONFLUENT_CLOUD_API_KEY="⟦{U16}⟧"',
    "confluent-secret-key": 'confluent_secret: "⟦{l64}⟧"',
    "contentful-delivery-api-token": 'CONTENTFUL_ACCESS_TOKEN="⟦{u43}⟧"',
    "curl-auth-header": 'curl -H "Authorization: Bearer ⟦{A40}⟧" https://api.service.io/v1/items',
    "curl-auth-user": "curl -u deploy:⟦{A16}⟧ https://ci.service.io/job/build",
    "databricks-api-token": "DATABRICKS_TOKEN=⟦dapi{h32}⟧",
    "datadog-access-token": 'DD_API_KEY="⟦{l40}⟧"',
    "defined-networking-api-token": 'DN_API_KEY="⟦dnkey-{u26}-{u52}⟧"',
    "digitalocean-access-token": 'DO_OAUTH="⟦doo_v1_{h64}⟧"',
    "digitalocean-pat": 'DIGITALOCEAN_TOKEN="⟦dop_v1_{h64}⟧"',
    "digitalocean-refresh-token": 'refresh = "⟦dor_v1_{h64}⟧"',
    "discord-api-token": 'DISCORD_API_TOKEN="⟦{h64}⟧"',
    "discord-client-secret": 'DISCORD_CLIENT_SECRET="⟦{u32}⟧"',
    "doppler-api-token": "DOPPLER_TOKEN=⟦dp.pt.{A43}⟧",
    "droneci-access-token": 'DRONE_TOKEN="⟦{l32}⟧"',
    "dropbox-api-token": 'DROPBOX_APP_KEY="⟦{l15}⟧"',
    "dropbox-long-lived-api-token": 'DROPBOX_ACCESS_TOKEN="⟦{l11}AAAAAAAAAA{u43}⟧"',
    "dropbox-short-lived-api-token": 'DROPBOX_TOKEN="⟦sl.{u135}⟧"',
    "duffel-api-token": 'DUFFEL_ACCESS_TOKEN="⟦duffel_test_{u43}⟧"',
    "dynatrace-api-token": "DT_API_TOKEN=⟦dt0c01.{U24}.{U64}⟧",
    "easypost-api-token": 'EasyPost::Client.new(api_key: "⟦EZAK{A54}⟧")',
    "easypost-test-api-token": 'EASYPOST_TEST_KEY="⟦EZTK{A54}⟧"',
    "etsy-access-token": 'ETSY_API_KEY="⟦{l24}⟧"',
    "facebook-access-token": 'FB_ACCESS_TOKEN="⟦{d15}|{u32}⟧"',
    "facebook-page-access-token": 'page_token = "⟦EAAC{A120}⟧"',
    "facebook-secret": 'FACEBOOK_APP_SECRET="⟦{h32}⟧"',
    "fastly-api-token": 'FASTLY_API_TOKEN="⟦{u32}⟧"',
    "finicity-api-token": 'finicity_app_key = "⟦{h32}⟧"',
    "finicity-client-secret": 'FINICITY_SECRET="⟦{l20}⟧"',
    "finnhub-access-token": 'FINNHUB_API_KEY="⟦{l20}⟧"',
    "flickr-access-token": 'flickr_api_key = "⟦{l32}⟧"',
    "flutterwave-encryption-key": 'FLW_ENCRYPTION_KEY="⟦FLWSECK_TEST-{h12}⟧"',
    "flutterwave-secret-key": 'FLW_SECRET_KEY="⟦FLWSECK_TEST-{h32}-X⟧"',
    "flyio-access-token": 'FLY_API_TOKEN="⟦fo1_{u43}⟧"',
    "frameio-api-token": 'FRAMEIO_TOKEN="⟦fio-u-{u64}⟧"',
    "freemius-secret-key": "'secret_key' => '⟦sk_{A29}⟧',",
    "freshbooks-access-token": 'FRESHBOOKS_TOKEN="⟦{l64}⟧"',
    "gcp-api-key": 'const firebaseConfig = { apiKey: "⟦AIza{u35}⟧" };',
    "generic-api-key": 'api_token = "⟦{A32}⟧"',
    "github-app-token": 'GITHUB_APP_TOKEN="⟦ghs_{A36}⟧"',
    "github-fine-grained-pat": 'GH_TOKEN="⟦github_pat_{A22}_{A59}⟧"',
    "github-oauth": 'oauth = "⟦gho_{A36}⟧"',
    "github-pat": "git clone https://⟦ghp_{A36}⟧@github.com/org/repo.git",
    "github-refresh-token": 'refresh_token: "⟦ghr_{A36}⟧"',
    "gitlab-cicd-job-token": 'CI_JOB_TOKEN="⟦glcbt-{A4}_{A20}⟧"',
    "gitlab-deploy-token": 'deploy_token = "⟦gldt-{A20}⟧"',
    "gitlab-feature-flag-client-token": 'UNLEASH_TOKEN="⟦glffct-{A20}⟧"',
    "gitlab-feed-token": 'feed = "⟦glft-{A20}⟧"',
    "gitlab-incoming-mail-token": 'mail_token = "⟦glimt-{A25}⟧"',
    "gitlab-kubernetes-agent-token": 'AGENT_TOKEN="⟦glagent-{A50}⟧"',
    "gitlab-oauth-app-secret": 'GITLAB_APP_SECRET="⟦gloas-{A64}⟧"',
    "gitlab-pat": 'GITLAB_TOKEN="⟦glpat-{A20}⟧"',
    "gitlab-pat-routable": 'GITLAB_TOKEN="⟦glpat-{A36}.01.{l9}⟧"',
    "gitlab-ptt": 'TRIGGER_TOKEN="⟦glptt-{h40}⟧"',
    "gitlab-rrt": 'runner_registration_token = "⟦GR1348941{A20}⟧"',
    "gitlab-runner-authentication-token": 'token = "⟦glrt-{A20}⟧"',
    "gitlab-runner-authentication-token-routable": 'token = "⟦glrt-t1_{A30}.01.{l9}⟧"',
    "gitlab-scim-token": 'SCIM_TOKEN="⟦glsoat-{A20}⟧"',
    "gitlab-session-cookie": "Cookie: _gitlab_session=⟦{l32}⟧",
    "gitter-access-token": 'GITTER_TOKEN="⟦{l40}⟧"',
    "gocardless-api-token": 'GOCARDLESS_ACCESS_TOKEN="⟦live_{u40}⟧"',
    "grafana-api-key": 'GRAFANA_API_KEY="⟦eyJrIjoi{A80}⟧"',
    "grafana-cloud-api-token": 'GRAFANA_CLOUD_TOKEN="⟦glc_{A60}⟧"',
    "grafana-service-account-token": 'GRAFANA_SA_TOKEN="⟦glsa_{A32}_{h8}⟧"',
    "harness-api-key": 'HARNESS_API_KEY="⟦pat.{u22}.{A24}.{A20}⟧"',
    "hashicorp-tf-api-token": 'TF_TOKEN_app_terraform_io="⟦{A14}.atlasv1.{u64}⟧"',
    "hashicorp-tf-password": 'administrator_login_password = "⟦{A16}⟧"',
    "heroku-api-key": 'HEROKU_API_KEY="⟦{h8}-{h4}-{h4}-{h4}-{h12}⟧"',
    "heroku-api-key-v2": 'HEROKU_API_KEY="⟦HRKU-AA{u58}⟧"',
    "hubspot-api-key": 'hubspot_api_key = "⟦{H8}-{H4}-{H4}-{H4}-{H12}⟧"',
    "huggingface-access-token": 'HF_TOKEN="⟦hf_{L34}⟧"',
    "huggingface-organization-api-token": 'org_token = "⟦api_org_{L34}⟧"',
    "infracost-api-token": 'INFRACOST_API_KEY="⟦ico-{A32}⟧"',
    "intercom-api-key": 'INTERCOM_ACCESS_TOKEN="⟦{u60}⟧"',
    "intra42-client-secret": 'INTRA_SECRET="⟦s-s4t2ud-{h64}⟧"',
    "jfrog-api-key": 'JFROG_API_KEY="⟦{l73}⟧"',
    "jfrog-identity-token": 'jfrog_identity_token = "⟦{l64}⟧"',
    "jwt": 'const token = "⟦eyJhbGciOiJIUzI1NiJ9.eyJ{u40}.{u43}⟧";',
    "jwt-base64": 'encoded = "⟦ZXlKaGJHY2lPaUpJVXpJMU5pSjkuZXlK{b80}⟧"',
    "kraken-access-token": 'KRAKEN_PRIVATE_KEY="⟦{A60}{b24}==⟧"',
    "kubernetes-secret-yaml": (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ⟦{A24}==⟧\n"
    ),
    "kucoin-access-token": 'KUCOIN_API_KEY="⟦{h24}⟧"',
    "kucoin-secret-key": 'KUCOIN_API_SECRET="⟦{h8}-{h4}-{h4}-{h4}-{h12}⟧"',
    "launchdarkly-access-token": 'LaunchDarklyKey: "⟦{u40}⟧"',
    "linear-api-key": 'LINEAR_API_KEY="⟦lin_api_{A40}⟧"',
    "linear-client-secret": 'LINEAR_CLIENT_SECRET="⟦{h32}⟧"',
    "linkedin-client-secret": 'LINKEDIN_CLIENT_SECRET="⟦{l16}⟧"',
    "lob-api-key": 'LOB_API_KEY="⟦test_{h35}⟧"',
    "looker-client-secret": 'LOOKERSDK_CLIENT_SECRET="⟦{l24}⟧"',
    "mailchimp-api-key": 'MAILCHIMP_API_KEY="⟦{h32}-us12⟧"',
    "mailgun-private-api-token": 'MAILGUN_API_KEY="⟦key-{h32}⟧"',
    "mailgun-signing-key": 'MAILGUN_WEBHOOK_SIGNING_KEY="⟦{h32}-{h8}-{h8}⟧"',
    "mattermost-access-token": 'MATTERMOST_TOKEN="⟦{l26}⟧"',
    "maxmind-license-key": 'MAXMIND_LICENSE_KEY="⟦{A6}_{A29}_mmk⟧"',
    "messagebird-api-token": 'MESSAGEBIRD_API_KEY="⟦{l25}⟧"',
    "microsoft-teams-webhook": (
        'TEAMS_WEBHOOK="https://acme.webhook.office.com/webhookb2/'
        '⟦{h8}-{h4}-{h4}-{h4}-{h12}@{h8}-{h4}-{h4}-{h4}-{h12}/IncomingWebhook/{h32}/{h8}-{h4}-{h4}-{h4}-{h12}⟧"'
    ),
    "netlify-access-token": 'NETLIFY_AUTH_TOKEN="⟦{u43}⟧"',
    "new-relic-browser-api-token": 'NEW_RELIC_BROWSER_KEY="⟦NRJS-{h19}⟧"',
    "new-relic-insert-key": 'NEW_RELIC_INSERT_KEY="⟦NRII-{u32}⟧"',
    "new-relic-user-api-key": 'NEW_RELIC_API_KEY="⟦NRAK-{U27}⟧"',
    "notion-api-token": 'NOTION_TOKEN="⟦ntn_{d11}{A35}⟧"',
    "npm-access-token": "//registry.npmjs.org/:_authToken=⟦npm_{A36}⟧",
    "nuget-config-password": '<add key="ClearTextPassword" value="⟦{A16}⟧" />',
    "nytimes-access-token": 'NYTIMES_API_KEY="⟦{u32}⟧"',
    "octopus-deploy-api-key": 'OCTOPUS_API_KEY="⟦API-{U26}⟧"',
    "okta-access-token": 'OKTA_API_TOKEN="⟦00{u40}⟧"',
    "openai-api-key": 'OPENAI_API_KEY="⟦sk-proj-{u58}T3BlbkFJ{u58}⟧"',
    "openshift-user-token": "oc login --token=⟦sha256~{u43}⟧",
    "perplexity-api-key": 'PPLX_API_KEY="⟦pplx-{A48}⟧"',
    "plaid-api-token": 'PLAID_ACCESS_TOKEN="⟦access-sandbox-{h8}-{h4}-{h4}-{h4}-{h12}⟧"',
    "plaid-secret-key": 'PLAID_SECRET="⟦{l30}⟧"',
    "planetscale-api-token": 'PLANETSCALE_TOKEN="⟦pscale_tkn_{u43}⟧"',
    "planetscale-oauth-token": 'PLANETSCALE_OAUTH="⟦pscale_oauth_{u43}⟧"',
    "planetscale-password": 'DATABASE_PASSWORD="⟦pscale_pw_{u43}⟧"',
    "postman-api-token": 'POSTMAN_API_KEY="⟦PMAK-{h24}-{h34}⟧"',
    "prefect-api-token": 'PREFECT_API_KEY="⟦pnu_{A36}⟧"',
    "private-key": (
        'key = """-----BEGIN OPENSSH PRIVATE KEY-----\n⟦{b70}\n{b70}⟧\n-----END OPENSSH PRIVATE KEY-----"""'
    ),
    "privateai-api-token": 'PRIVATE_AI_API_KEY="⟦{l32}⟧"',
    "pulumi-api-token": "PULUMI_ACCESS_TOKEN=⟦pul-{h40}⟧",
    "pypi-upload-token": "password = ⟦pypi-AgEIcHlwaS5vcmc{u70}⟧",
    "rapidapi-access-token": "'X-RapidAPI-Key': '⟦{u50}⟧',",
    "readme-api-token": 'README_API_KEY="⟦rdme_{l70}⟧"',
    "rubygems-api-token": ":rubygems_api_key: ⟦rubygems_{h48}⟧",
    "scalingo-api-token": 'SCALINGO_API_TOKEN="⟦tk-us-{u48}⟧"',
    "sendbird-access-token": 'SENDBIRD_API_TOKEN="⟦{h40}⟧"',
    "sendgrid-api-token": 'SENDGRID_API_KEY="⟦SG.{u22}.{u43}⟧"',
    "sendinblue-api-token": 'BREVO_API_KEY="⟦xkeysib-{h64}-{A16}⟧"',
    "sentry-access-token": 'SENTRY_AUTH_TOKEN="⟦{h64}⟧"',
    "sentry-org-token": (
        'SENTRY_AUTH_TOKEN="⟦sntrys_eyJpYXQiOjE3MDAwMDAwMDAuMCwidXJsIjoiaHR0cHM6Ly9zZW50cnkuaW8iLCJyZWdpb25fdXJsIjoi'
        '{A40}_{A43}⟧"'
    ),
    "sentry-user-token": 'SENTRY_AUTH_TOKEN="⟦sntryu_{h64}⟧"',
    "settlemint-application-access-token": 'SETTLEMINT_TOKEN="⟦sm_aat_{A16}⟧"',
    "settlemint-personal-access-token": 'SETTLEMINT_PAT="⟦sm_pat_{A16}⟧"',
    "settlemint-service-access-token": 'SETTLEMINT_SAT="⟦sm_sat_{A16}⟧"',
    "shippo-api-token": 'SHIPPO_API_KEY="⟦shippo_live_{h40}⟧"',
    "shopify-access-token": 'SHOPIFY_ACCESS_TOKEN="⟦shpat_{h32}⟧"',
    "shopify-custom-access-token": 'SHOPIFY_CUSTOM_TOKEN="⟦shpca_{h32}⟧"',
    "shopify-private-app-access-token": 'SHOPIFY_PASSWORD="⟦shppa_{h32}⟧"',
    "shopify-shared-secret": 'SHOPIFY_SHARED_SECRET="⟦shpss_{h32}⟧"',
    "sidekiq-secret": 'export BUNDLE_ENTERPRISE__CONTRIBSYS__COM="⟦{h8}:{h8}⟧"',
    "sidekiq-sensitive-url": 'source "https://{h8}:⟦{h8}⟧@gems.contribsys.com/"',
    "slack-app-token": 'SLACK_APP_TOKEN="⟦xapp-1-A{U10}-{d13}-{h64}⟧"',
    "slack-bot-token": 'SLACK_BOT_TOKEN="⟦xoxb-{d12}-{d13}-{A24}⟧"',
    "slack-config-access-token": 'SLACK_CONFIG_TOKEN="⟦xoxe.xoxp-1-{U164}⟧"',
    "slack-config-refresh-token": 'SLACK_REFRESH="⟦xoxe-1-{U146}⟧"',
    "slack-legacy-bot-token": 'SLACK_TOKEN="⟦xoxb-{d10}-{A24}⟧"',
    "slack-legacy-token": 'SLACK_LEGACY="⟦xoxs-{d10}-{d10}-{d12}-{h64}⟧"',
    "slack-legacy-workspace-token": 'SLACK_WORKSPACE="⟦xoxa-2-{A40}⟧"',
    "slack-user-token": 'SLACK_USER_TOKEN="⟦xoxp-{d12}-{d12}-{d13}-{h32}⟧"',
    "slack-webhook-url": 'url = "https://hooks.slack.com/⟦services/T{U8}/B{U10}/{A24}⟧"',
    "snyk-api-token": 'SNYK_TOKEN="⟦{h8}-{h4}-{h4}-{h4}-{h12}⟧"',
    "sonar-api-token": "sonar.login=⟦squ_{h40}⟧",
    "sourcegraph-access-token": 'SRC_ACCESS_TOKEN="⟦sgp_{h16}_{h40}⟧"',
    "square-access-token": 'SQUARE_ACCESS_TOKEN="⟦EAAA{u60}⟧"',
    "squarespace-access-token": 'SQUARESPACE_API_KEY="⟦{h8}-{h4}-{h4}-{h4}-{h12}⟧"',
    "stripe-access-token": 'stripe.api_key = "⟦sk_live_{A24}⟧"',
    "sumologic-access-token": 'SUMO_ACCESS_KEY="⟦{A64}⟧"',
    "telegram-bot-api-token": 'TELEGRAM_BOT_TOKEN="⟦{d10}:AA{u33}⟧"',
    "travisci-access-token": 'TRAVIS_TOKEN="⟦{l22}⟧"',
    "twilio-api-key": 'TWILIO_API_KEY="⟦SK{h32}⟧"',
    "twitch-api-token": 'TWITCH_CLIENT_SECRET="⟦{l30}⟧"',
    "twitter-access-secret": 'TWITTER_ACCESS_SECRET="⟦{l45}⟧"',
    "twitter-access-token": 'TWITTER_ACCESS_TOKEN="⟦{d18}-{A30}⟧"',
    "twitter-api-key": 'TWITTER_API_KEY="⟦{l25}⟧"',
    "twitter-api-secret": 'TWITTER_API_SECRET="⟦{l50}⟧"',
    "twitter-bearer-token": 'TWITTER_BEARER_TOKEN="⟦AAAAAAAAAAAAAAAAAAAAA{A90}⟧"',
    "typeform-api-token": 'TYPEFORM_TOKEN="⟦tfp_{u59}⟧"',
    "vault-batch-token": 'VAULT_TOKEN="⟦hvb.{u140}⟧"',
    "vault-service-token": 'VAULT_TOKEN="⟦hvs.{u95}⟧"',
    "yandex-access-token": 'YANDEX_IAM_TOKEN="⟦t1.{u40}.{u86}⟧"',
    "yandex-api-key": 'YANDEX_API_KEY="⟦AQVN{u36}⟧"',
    "yandex-aws-access-token": 'YANDEX_AWS_SECRET="⟦YC{u38}⟧"',
    "zendesk-secret-key": 'ZENDESK_API_TOKEN="⟦{l40}⟧"',
}

# Formats left alone, with why. Client ids and publishable keys are public by design: OAuth client ids and
# Stripe-style publishable keys are sent to every browser, and redacting them alters ordinary config.
_PUBLIC_ID = "a client or account identifier, public by design (sent to browsers in OAuth flows)"
_PUBLISHABLE = "a publishable key, meant to be shipped in client code"
NOT_COVERED: dict[str, str] = {
    "adobe-client-id": _PUBLIC_ID,
    "asana-client-id": _PUBLIC_ID,
    "bitbucket-client-id": _PUBLIC_ID,
    "discord-client-id": _PUBLIC_ID + " (a Discord snowflake id)",
    "linkedin-client-id": _PUBLIC_ID,
    "looker-client-id": _PUBLIC_ID,
    "messagebird-client-id": _PUBLIC_ID,
    "plaid-client-id": _PUBLIC_ID,
    "sendbird-access-id": "a Sendbird application id, public (used by client SDKs)",
    "sumologic-access-id": "the public half of a Sumo Logic key pair (its access key is covered)",
    "new-relic-user-api-id": "an id, not a key; New Relic user API keys (NRAK-) are covered",
    "flutterwave-public-key": _PUBLISHABLE,
    "lob-pub-api-key": _PUBLISHABLE,
    "mailgun-pub-key": _PUBLISHABLE + " (Mailgun's public validation key)",
    "mapbox-api-token": "the rule matches `pk.` tokens, which Mapbox documents as public (used in web pages)",
    "pkcs12-file": "a binary file (.p12/.pfx): the file gate drops binary files before redaction runs",
}

_SECRET = re.compile(r"⟦(.*?)⟧", re.DOTALL)
_FILL = re.compile(r"\{([AlhHdUbuL])(\d+)\}")


@dataclass(frozen=True)
class Sample:
    rule: str
    text: str
    secrets: tuple[str, ...]


def build_sample(rule: str, template: str, seed: int = 0) -> Sample:
    """The template with each `{A32}` filled from a generator seeded by the rule id; the marked secrets."""
    rng = random.Random(f"{seed}:{rule}")

    def fill(match: re.Match[str]) -> str:
        alphabet = CLASSES[match.group(1)]
        value = "".join(rng.choice(alphabet) for _ in range(int(match.group(2))))
        return rng.choice(CLASSES["L"]) + value[1:] if value[0] in "+/_-" else value  # as tokens start

    filled = _FILL.sub(fill, template)
    secrets = tuple(_SECRET.findall(filled))
    return Sample(rule, _SECRET.sub(lambda match: match.group(1), filled), secrets)


def samples(seed: int = 0) -> list[Sample]:
    return [build_sample(rule, template, seed) for rule, template in sorted(SAMPLES.items())]
