"""Vendor token formats with a fixed prefix or shape, written from each vendor's documented token layout.

The catalogue they are measured against is gitleaks' rule list (`docs/secrets.md` has one row per rule); the
expressions here are ours. Each format names the catalogue rules it covers, a literal every token of it
contains (a line without it is not searched) and the expression of the whole token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class TokenFormat:
    rules: tuple[str, ...]  # catalogue rule ids (gitleaks) this format covers
    markers: tuple[str, ...]  # literals of which every token contains one
    pattern: re.Pattern[str]


def _format(
    rules: str, marker: str | tuple[str, ...], pattern: str, flags: int = 0, *, in_url: bool = False
) -> TokenFormat:
    # A token stands alone: not the middle of a longer identifier or base64 run (a URL path part may follow
    # a slash).
    before = "" if in_url else r"(?<![A-Za-z0-9_+/-])"
    bounded = rf"{before}(?:{pattern})(?![A-Za-z0-9_+/-])"
    markers = (marker,) if isinstance(marker, str) else marker
    return TokenFormat(tuple(rules.split()), markers, re.compile(bounded, flags))


_B64 = "A-Za-z0-9+/"
TOKEN_FORMATS: tuple[TokenFormat, ...] = (
    _format(
        "1password-secret-key",
        "A3-",
        r"A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})(?:-[A-Z0-9]{5}){3}",
    ),
    _format("1password-service-account-token", "ops_eyJ", rf"ops_eyJ[{_B64}]{{200,}}={{0,3}}"),
    _format("adobe-client-secret", "p8e-", r"p8e-[A-Za-z0-9]{32}"),
    _format("age-secret-key", "AGE-SECRET-KEY-1", r"AGE-SECRET-KEY-1[0-9A-Z]{58}"),
    _format("airtable-personnal-access-token", "pat", r"pat[A-Za-z0-9]{14}\.[0-9a-f]{64}"),
    _format("alibaba-access-key-id", "LTAI", r"LTAI[A-Za-z0-9]{20}"),
    _format(
        "anthropic-api-key anthropic-admin-api-key", "sk-ant-", r"sk-ant-(?:api|admin)\d\d-[\w-]{80,120}"
    ),
    _format("artifactory-api-key", "AKCp", r"AKCp[A-Za-z0-9]{60,80}"),
    _format("artifactory-reference-token", "cmVmd", r"cmVmd[A-Za-z0-9]{59}"),
    _format(
        "authress-service-client-access-key",
        ".acc",
        r"(?:sc|ext|scauth|authress)_[A-Za-z0-9]{5,30}\.[A-Za-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}\.[\w+/=-]{30,120}",
    ),
    _format("aws-amazon-bedrock-api-key-long-lived", "ABSK", rf"ABSK[{_B64}]{{100,280}}={{0,2}}"),
    _format(
        "aws-amazon-bedrock-api-key-short-lived",
        "bedrock-api-key-",
        rf"bedrock-api-key-[{_B64}]{{40,}}={{0,2}}",
    ),
    _format("azure-ad-client-secret", "Q~", r"[\w~.]{3}\dQ~[\w~.-]{31,34}"),
    _format("clickhouse-cloud-api-secret-key", "4b1d", r"4b1d[A-Za-z0-9]{38}"),
    _format("clojars-api-token", "CLOJARS_", r"CLOJARS_[a-z0-9]{60}", re.I),
    _format("cloudflare-origin-ca-key", "v1.0-", r"v1\.0-[0-9a-f]{24}-[0-9a-f]{146}"),
    _format("databricks-api-token", "dapi", r"dapi[0-9a-f]{32}(?:-\d)?"),
    _format("defined-networking-api-token", "dnkey-", r"dnkey-[\w=-]{26}-[\w=-]{52}"),
    _format(
        "digitalocean-access-token digitalocean-pat digitalocean-refresh-token",
        "_v1_",
        r"do[opr]_v1_[0-9a-f]{64}",
    ),
    _format("doppler-api-token", "dp.", r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}"),
    _format("duffel-api-token", "duffel_", r"duffel_(?:test|live)_[\w=-]{43}"),
    _format("dynatrace-api-token", "dt0c01.", r"dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}"),
    _format("easypost-api-token easypost-test-api-token", "EZ", r"EZ[AT]K[A-Za-z0-9]{54}"),
    _format("facebook-access-token", "|", r"\d{15,16}(?:\||%7C)[\w-]{27,40}"),
    _format("facebook-page-access-token", "EAA", r"EAA[MC][A-Za-z0-9]{100,}"),
    _format(
        "flutterwave-secret-key flutterwave-encryption-key",
        "FLWSECK",
        r"FLWSECK(?:_TEST)?-[a-h0-9]{12,32}(?:-X)?",
        re.I,
    ),
    _format(
        "flyio-access-token",
        ("fo1_", "fm1", "fm2_"),
        rf"fo1_[\w-]{{43}}|fm1[ar]_[{_B64}]{{100,}}={{0,3}}|fm2_[{_B64}]{{100,}}={{0,3}}",
    ),
    _format("frameio-api-token", "fio-u-", r"fio-u-[\w=-]{64}"),
    _format("freemius-secret-key", "sk_", r"sk_[A-Za-z0-9<>{}\[\]!@#$%^&*()_+=~-]{29}"),
    _format("gcp-api-key", "AIza", r"AIza[\w-]{35}"),
    _format(
        "github-app-token github-oauth github-pat github-refresh-token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        r"gh[pousr]_[0-9A-Za-z]{36,255}",
    ),
    _format("github-fine-grained-pat", "github_pat_", r"github_pat_\w{60,100}"),
    _format(
        "gitlab-pat gitlab-pat-routable gitlab-deploy-token gitlab-feature-flag-client-token "
        "gitlab-feed-token "
        "gitlab-incoming-mail-token gitlab-kubernetes-agent-token gitlab-oauth-app-secret gitlab-ptt "
        "gitlab-runner-authentication-token gitlab-runner-authentication-token-routable gitlab-scim-token "
        "gitlab-cicd-job-token",
        tuple(
            f"gl{kind}-"
            for kind in ("pat", "dt", "ffct", "ft", "imt", "agent", "oas", "ptt", "rt", "soat", "cbt")
        ),
        r"gl(?:pat|dt|ffct|ft|imt|agent|oas|ptt|rt|soat|cbt)-[\w-]{20,300}(?:\.[0-9a-z]{9})?",
    ),
    _format("gitlab-rrt", "GR1348941", r"GR1348941[\w-]{20}"),
    _format("gitlab-session-cookie", "_gitlab_session=", r"(?<=_gitlab_session=)[0-9a-z]{32}"),
    _format("grafana-api-key", "eyJrIjoi", r"eyJrIjoi[A-Za-z0-9]{60,400}={0,3}"),
    _format("grafana-cloud-api-token", "glc_", rf"glc_[{_B64}]{{32,400}}={{0,3}}"),
    _format("grafana-service-account-token", "glsa_", r"glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}"),
    _format("harness-api-key", ("pat.", "sat."), r"[ps]at\.[\w-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}"),
    _format("hashicorp-tf-api-token", ".atlasv1.", r"[A-Za-z0-9]{14}\.atlasv1\.[\w=-]{60,70}"),
    _format("heroku-api-key-v2", "HRKU-", r"HRKU-AA[\w-]{58}"),
    _format("huggingface-access-token", "hf_", r"hf_[A-Za-z0-9]{30,40}"),
    _format("huggingface-organization-api-token", "api_org_", r"api_org_[A-Za-z0-9]{30,40}"),
    _format("infracost-api-token", "ico-", r"ico-[A-Za-z0-9]{32}"),
    _format("intra42-client-secret", "s-s4t2", r"s-s4t2(?:ud|af)-[0-9a-f]{64}"),
    _format("jwt-base64", "ZXlK", rf"ZXlK[{_B64}]{{40,}}={{0,2}}"),
    _format("linear-api-key", "lin_api_", r"lin_api_[A-Za-z0-9]{40}"),
    _format("lob-api-key", ("live_", "test_"), r"(?:live|test)_[0-9a-f]{35}"),
    _format("mailgun-private-api-token", "key-", r"key-[0-9a-f]{32}"),
    _format("mailgun-signing-key", "-", r"[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}"),
    # Mapbox secret tokens; its `pk.` tokens are public, made for web pages.
    _format("mapbox-api-token", "sk.eyJ", r"sk\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}"),
    _format("maxmind-license-key", "_mmk", r"[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk"),
    _format("new-relic-browser-api-token", "NRJS-", r"NRJS-[a-f0-9]{19}"),
    _format("new-relic-insert-key", "NRII-", r"NRII-[\w-]{32}"),
    _format("new-relic-user-api-key", "NRAK-", r"NRAK-[A-Z0-9]{27}"),
    _format("notion-api-token", "ntn_", r"ntn_\d{11}[A-Za-z0-9]{35}"),
    _format("npm-access-token", "npm_", r"npm_[A-Za-z0-9]{36}"),
    _format("octopus-deploy-api-key", "API-", r"API-[A-Z0-9]{26}"),
    _format("openai-api-key", "T3BlbkFJ", r"sk-(?:(?:proj|svcacct|admin)-)?[\w-]{20,74}T3BlbkFJ[\w-]{20,74}"),
    _format("openshift-user-token", "sha256~", r"(?<=sha256~)[\w-]{43}"),
    _format("perplexity-api-key", "pplx-", r"pplx-[A-Za-z0-9]{48}"),
    _format(
        "plaid-api-token",
        "access-",
        r"access-(?:sandbox|development|production)-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}",
    ),
    _format(
        "planetscale-api-token planetscale-oauth-token planetscale-password",
        "pscale_",
        r"pscale_(?:tkn|oauth|pw)_[\w=.-]{32,64}",
    ),
    _format("postman-api-token", "PMAK-", r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}"),
    _format("prefect-api-token", "pnu_", r"pnu_[A-Za-z0-9]{36}"),
    _format("pulumi-api-token", "pul-", r"pul-[a-f0-9]{40}"),
    _format("pypi-upload-token", "pypi-", r"pypi-AgEIcHlwaS5vcmc[\w-]{50,1000}"),
    _format("readme-api-token", "rdme_", r"rdme_[a-z0-9]{70}"),
    _format("rubygems-api-token", "rubygems_", r"rubygems_[a-f0-9]{48}"),
    _format("scalingo-api-token", "tk-us-", r"tk-us-[\w-]{48}"),
    _format("sendgrid-api-token", "SG.", r"SG\.[\w-]{16,32}\.[\w-]{16,64}"),
    _format("sendinblue-api-token", "xkeysib-", r"xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}"),
    _format("sentry-org-token", "sntrys_", rf"sntrys_eyJ[{_B64}]{{40,400}}={{0,2}}_[{_B64}]{{43}}"),
    _format("sentry-user-token", "sntryu_", r"sntryu_[a-f0-9]{64}"),
    _format(
        "settlemint-application-access-token settlemint-personal-access-token "
        "settlemint-service-access-token",
        "sm_",
        r"sm_(?:aat|pat|sat)_[A-Za-z0-9]{16}",
    ),
    _format("shippo-api-token", "shippo_", r"shippo_(?:live|test)_[a-fA-F0-9]{40}"),
    _format(
        "shopify-access-token shopify-custom-access-token shopify-private-app-access-token "
        "shopify-shared-secret",
        "shp",
        r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",
    ),
    _format(
        "slack-app-token slack-bot-token slack-config-access-token slack-config-refresh-token "
        "slack-legacy-bot-token slack-legacy-token slack-legacy-workspace-token slack-user-token",
        ("xapp-", "xox"),
        r"xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+|xox[abeoprs](?:\.xox[bp])?-[A-Za-z0-9-]{8,200}",
    ),
    _format(
        "slack-webhook-url",
        "hooks.slack.com/",
        r"(?<=hooks\.slack\.com/)(?:services|workflows|triggers)/[A-Za-z0-9+/]{30,60}",
        in_url=True,
    ),
    _format(
        "microsoft-teams-webhook",
        "webhookb2/",
        r"(?<=webhookb2/)[\w@-]{60,}/IncomingWebhook/[0-9a-f]{32}/[\w-]{30,}",
        in_url=True,
    ),
    _format("sourcegraph-access-token", "sgp_", r"sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}"),
    _format("square-access-token", "EAAA", r"EAAA[\w-]{22,60}"),
    _format("square-access-token", "sq0atp-", r"sq0atp-[\w-]{22,60}"),
    _format(
        "stripe-access-token",
        ("k_live_", "k_test_", "k_prod_"),
        r"[rs]k_(?:live|test|prod)_[A-Za-z0-9]{10,99}",
    ),
    _format("twilio-api-key", "SK", r"SK[0-9a-fA-F]{32}"),
    _format("typeform-api-token", "tfp_", r"tfp_[\w.=-]{59}"),
    _format("vault-batch-token vault-service-token", "hv", r"hv[bs]\.[\w-]{90,300}"),
    _format("yandex-access-token", "t1.", r"t1\.[\w-]+={0,2}\.[\w-]{86}={0,2}"),
    _format("yandex-api-key", "AQVN", r"AQVN[\w-]{35,38}"),
)
