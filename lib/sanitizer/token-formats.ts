/**
 * Credential formats that a service marks with a fixed prefix, taken from public secret-scanner rule
 * lists (gitleaks' default configuration, detect-secrets' plugins) and written here as prefix + body.
 * Every one becomes part of a single rule whose matches start where a word starts, so one attempt
 * per word start, each reading only its own run: linear in the input.
 */
export interface TokenFormat {
  /** The service, for the docs and the tests. */
  service: string
  /** Literal start of the token, case as issued. */
  prefix: string
  /** Character class of the body that follows the prefix (regular expression source, in brackets). */
  body: string
  /** Fewest body characters that make a token. */
  min: number
  /** A token of this format, made up, for the tests and the benchmark's attack strings. */
  example: string
}

const ALNUM = '[A-Za-z0-9]'
const WORD = '[A-Za-z0-9_]'
const WORD_DASH = '[A-Za-z0-9_-]'
const HEX = '[a-fA-F0-9]'
const B64 = '[A-Za-z0-9+/=_-]'

const fake = (prefix: string, n: number, alphabet = 'aZ3kP9qL2xW7mB4t'): string =>
  prefix + Array.from({ length: n }, (_, i) => alphabet[(i * 7 + 3) % alphabet.length]).join('')
const fakeHex = (prefix: string, n: number): string => fake(prefix, n, '0a1b2c3d4e5f6789')

export const TOKEN_FORMATS: readonly TokenFormat[] = [
  { service: 'GitHub personal/OAuth/app/refresh token', prefix: 'ghp_', body: ALNUM, min: 36, example: fake('ghp_', 36) },
  { service: 'GitHub OAuth token', prefix: 'gho_', body: ALNUM, min: 36, example: fake('gho_', 36) },
  { service: 'GitHub user-to-server token', prefix: 'ghu_', body: ALNUM, min: 36, example: fake('ghu_', 36) },
  { service: 'GitHub server-to-server token', prefix: 'ghs_', body: ALNUM, min: 36, example: fake('ghs_', 36) },
  { service: 'GitHub refresh token', prefix: 'ghr_', body: ALNUM, min: 36, example: fake('ghr_', 36) },
  { service: 'GitHub fine-grained token', prefix: 'github_pat_', body: WORD, min: 22, example: fake('github_pat_', 82) },
  { service: 'GitLab personal token', prefix: 'glpat-', body: WORD_DASH, min: 20, example: fake('glpat-', 20) },
  { service: 'GitLab deploy token', prefix: 'gldt-', body: WORD_DASH, min: 20, example: fake('gldt-', 20) },
  { service: 'GitLab runner token', prefix: 'glrt-', body: WORD_DASH, min: 20, example: fake('glrt-', 20) },
  { service: 'GitLab pipeline trigger token', prefix: 'glptt-', body: WORD_DASH, min: 20, example: fakeHex('glptt-', 40) },
  { service: 'GitLab CI job token', prefix: 'glcbt-', body: WORD_DASH, min: 20, example: fake('glcbt-', 25) },
  { service: 'GitLab SCIM token', prefix: 'glsoat-', body: WORD_DASH, min: 20, example: fake('glsoat-', 20) },
  { service: 'GitLab feed token', prefix: 'glft-', body: WORD_DASH, min: 20, example: fake('glft-', 20) },
  { service: 'GitLab incoming mail token', prefix: 'glimt-', body: WORD_DASH, min: 25, example: fake('glimt-', 25) },
  { service: 'GitLab agent token', prefix: 'glagent-', body: WORD_DASH, min: 50, example: fake('glagent-', 50) },
  { service: 'GitLab OAuth app secret', prefix: 'gloas-', body: WORD_DASH, min: 64, example: fake('gloas-', 64) },
  { service: 'GitLab runner registration token', prefix: 'GR1348941', body: WORD_DASH, min: 20, example: fake('GR1348941', 20) },
  { service: 'Slack bot/user/app token', prefix: 'xoxb-', body: '[A-Za-z0-9-]', min: 10, example: 'xoxb-1234567890-1234567890123-' + fake('', 24) },
  { service: 'Slack user token', prefix: 'xoxp-', body: '[A-Za-z0-9-]', min: 10, example: 'xoxp-1234567890-1234567890-' + fake('', 28) },
  { service: 'Slack workspace token', prefix: 'xoxa-', body: '[A-Za-z0-9-]', min: 10, example: fake('xoxa-2-', 30) },
  { service: 'Slack refresh token', prefix: 'xoxe', body: '[A-Za-z0-9.-]', min: 10, example: fake('xoxe.xoxp-1-', 40) },
  { service: 'Slack legacy token', prefix: 'xoxo-', body: '[A-Za-z0-9-]', min: 10, example: fake('xoxo-', 30) },
  { service: 'Slack legacy token', prefix: 'xoxs-', body: '[A-Za-z0-9-]', min: 10, example: fake('xoxs-', 30) },
  { service: 'Slack legacy token', prefix: 'xoxr-', body: '[A-Za-z0-9-]', min: 10, example: fake('xoxr-', 30) },
  { service: 'Slack app-level token', prefix: 'xapp-', body: '[A-Za-z0-9-]', min: 10, example: fake('xapp-1-', 40) },
  { service: 'Stripe secret key', prefix: 'sk_live_', body: ALNUM, min: 10, example: fake('sk_live_', 24) },
  { service: 'Stripe test key', prefix: 'sk_test_', body: ALNUM, min: 10, example: fake('sk_test_', 24) },
  { service: 'Stripe restricted key', prefix: 'rk_live_', body: ALNUM, min: 10, example: fake('rk_live_', 24) },
  { service: 'Stripe restricted test key', prefix: 'rk_test_', body: ALNUM, min: 10, example: fake('rk_test_', 24) },
  { service: 'Stripe webhook secret', prefix: 'whsec_', body: ALNUM, min: 24, example: fake('whsec_', 32) },
  { service: 'Google API key', prefix: 'AIza', body: WORD_DASH, min: 35, example: fake('AIza', 35) },
  { service: 'Google OAuth client secret', prefix: 'GOCSPX-', body: WORD_DASH, min: 20, example: fake('GOCSPX-', 28) },
  { service: 'Google OAuth access token', prefix: 'ya29.', body: WORD_DASH, min: 20, example: fake('ya29.', 60) },
  { service: 'npm access token', prefix: 'npm_', body: ALNUM, min: 36, example: fake('npm_', 36) },
  { service: 'PyPI upload token', prefix: 'pypi-AgEIcHlwaS5vcmc', body: WORD_DASH, min: 50, example: fake('pypi-AgEIcHlwaS5vcmc', 60) },
  { service: 'RubyGems API key', prefix: 'rubygems_', body: HEX, min: 48, example: fakeHex('rubygems_', 48) },
  { service: 'SendGrid API key', prefix: 'SG.', body: '[A-Za-z0-9_.-]', min: 60, example: fake('SG.', 22) + '.' + fake('', 43) },
  { service: 'Twilio API key', prefix: 'SK', body: HEX, min: 32, example: fakeHex('SK', 32) },
  { service: 'Mailgun API key', prefix: 'key-', body: HEX, min: 32, example: fakeHex('key-', 32) },
  { service: 'Brevo (Sendinblue) API key', prefix: 'xkeysib-', body: WORD_DASH, min: 64, example: fakeHex('xkeysib-', 64) + '-' + fake('', 16) },
  { service: 'OpenAI API key', prefix: 'sk-proj-', body: WORD_DASH, min: 40, example: fake('sk-proj-', 120) },
  { service: 'OpenAI service account key', prefix: 'sk-svcacct-', body: WORD_DASH, min: 40, example: fake('sk-svcacct-', 120) },
  { service: 'OpenAI admin key', prefix: 'sk-admin-', body: WORD_DASH, min: 40, example: fake('sk-admin-', 120) },
  { service: 'Anthropic API key', prefix: 'sk-ant-', body: WORD_DASH, min: 40, example: fake('sk-ant-api03-', 95) },
  { service: 'Hugging Face token', prefix: 'hf_', body: '[A-Za-z]', min: 34, example: fake('hf_', 34, 'abcdefXYZklmnopq') },
  { service: 'HashiCorp Vault service token', prefix: 'hvs.', body: WORD_DASH, min: 24, example: fake('hvs.', 95) },
  { service: 'HashiCorp Vault batch token', prefix: 'hvb.', body: WORD_DASH, min: 24, example: fake('hvb.', 140) },
  { service: 'DigitalOcean token', prefix: 'dop_v1_', body: HEX, min: 64, example: fakeHex('dop_v1_', 64) },
  { service: 'DigitalOcean OAuth token', prefix: 'doo_v1_', body: HEX, min: 64, example: fakeHex('doo_v1_', 64) },
  { service: 'DigitalOcean refresh token', prefix: 'dor_v1_', body: HEX, min: 64, example: fakeHex('dor_v1_', 64) },
  { service: 'Heroku API key', prefix: 'HRKU-', body: WORD_DASH, min: 40, example: fake('HRKU-AA', 58) },
  { service: 'Shopify access token', prefix: 'shpat_', body: HEX, min: 32, example: fakeHex('shpat_', 32) },
  { service: 'Shopify custom app token', prefix: 'shpca_', body: HEX, min: 32, example: fakeHex('shpca_', 32) },
  { service: 'Shopify private app token', prefix: 'shppa_', body: HEX, min: 32, example: fakeHex('shppa_', 32) },
  { service: 'Shopify shared secret', prefix: 'shpss_', body: HEX, min: 32, example: fakeHex('shpss_', 32) },
  { service: 'Databricks token', prefix: 'dapi', body: HEX, min: 32, example: fakeHex('dapi', 32) },
  { service: 'Postman API key', prefix: 'PMAK-', body: '[a-fA-F0-9-]', min: 50, example: fakeHex('PMAK-', 24) + '-' + fakeHex('', 34) },
  { service: 'Linear API key', prefix: 'lin_api_', body: ALNUM, min: 40, example: fake('lin_api_', 40) },
  { service: 'Atlassian API token', prefix: 'ATATT3', body: '[A-Za-z0-9_=-]', min: 100, example: fake('ATATT3', 186) },
  { service: 'Notion token', prefix: 'ntn_', body: ALNUM, min: 40, example: fake('ntn_', 46) },
  { service: 'Sentry user token', prefix: 'sntryu_', body: HEX, min: 64, example: fakeHex('sntryu_', 64) },
  { service: 'Sentry org token', prefix: 'sntrys_', body: B64, min: 40, example: fake('sntrys_eyJpYXQiO', 80) },
  { service: 'Grafana cloud token', prefix: 'glc_', body: B64, min: 32, example: fake('glc_', 40) },
  { service: 'Grafana service account token', prefix: 'glsa_', body: WORD, min: 40, example: fake('glsa_', 32) + '_' + fakeHex('', 8) },
  { service: 'Pulumi token', prefix: 'pul-', body: HEX, min: 40, example: fakeHex('pul-', 40) },
  { service: 'Doppler token', prefix: 'dp.pt.', body: ALNUM, min: 40, example: fake('dp.pt.', 43) },
  { service: 'Dynatrace token', prefix: 'dt0c01.', body: '[A-Za-z0-9.]', min: 80, example: fake('dt0c01.', 24) + '.' + fake('', 64) },
  { service: 'Planetscale token', prefix: 'pscale_', body: '[A-Za-z0-9_=.-]', min: 32, example: fake('pscale_tkn_', 43) },
  { service: 'Fly.io token', prefix: 'fo1_', body: WORD_DASH, min: 40, example: fake('fo1_', 43) },
  { service: 'Perplexity API key', prefix: 'pplx-', body: ALNUM, min: 40, example: fake('pplx-', 48) },
  { service: 'Prefect API key', prefix: 'pnu_', body: ALNUM, min: 36, example: fake('pnu_', 36) },
  { service: 'Readme API key', prefix: 'rdme_', body: ALNUM, min: 60, example: fake('rdme_', 70) },
  { service: 'Sourcegraph token', prefix: 'sgp_', body: WORD, min: 40, example: fakeHex('sgp_', 40) },
  { service: 'Square access token', prefix: 'sq0atp-', body: WORD_DASH, min: 22, example: fake('sq0atp-', 22) },
  { service: 'Square OAuth secret', prefix: 'sq0csp-', body: WORD_DASH, min: 40, example: fake('sq0csp-', 43) },
  { service: 'Age secret key', prefix: 'AGE-SECRET-KEY-1', body: '[A-Z0-9]', min: 58, example: fake('AGE-SECRET-KEY-1', 58, 'QPZRY9X8GF2TVDW0') },
  { service: '1Password service account token', prefix: 'ops_eyJ', body: '[A-Za-z0-9+/=]', min: 100, example: fake('ops_eyJ', 250) },
  { service: 'Artifactory API key', prefix: 'AKCp', body: ALNUM, min: 60, example: fake('AKCp', 69) },
  { service: 'Alibaba Cloud access key id', prefix: 'LTAI', body: ALNUM, min: 20, example: fake('LTAI', 20) },
  { service: 'Amazon Bedrock API key', prefix: 'ABSK', body: '[A-Za-z0-9+/=]', min: 100, example: fake('ABSK', 120) },
  { service: 'Facebook access token', prefix: 'EAAC', body: ALNUM, min: 100, example: fake('EAAC', 120) },
  { service: 'Square/Facebook token', prefix: 'EAAA', body: WORD_DASH, min: 22, example: fake('EAAA', 60) },
  { service: 'Octopus Deploy API key', prefix: 'API-', body: '[A-Z0-9]', min: 26, example: fake('API-', 26, 'QPZRY9X8GF2TVDW0') },
  { service: 'Frame.io token', prefix: 'fio-u-', body: '[A-Za-z0-9_=-]', min: 64, example: fake('fio-u-', 64) },
  { service: 'Flutterwave secret key', prefix: 'FLWSECK', body: '[A-Za-z0-9_-]', min: 20, example: fakeHex('FLWSECK_TEST-', 32) + '-X' },
  { service: 'Duffel token', prefix: 'duffel_', body: '[A-Za-z0-9_=-]', min: 43, example: fake('duffel_live_', 43) },
  { service: 'EasyPost key', prefix: 'EZAK', body: ALNUM, min: 54, example: fake('EZAK', 54) },
  { service: 'Shippo token', prefix: 'shippo_', body: '[A-Za-z0-9_]', min: 40, example: fakeHex('shippo_live_', 40) },
  { service: 'Infracost token', prefix: 'ico-', body: ALNUM, min: 32, example: fake('ico-', 32) },
  { service: 'Scalingo token', prefix: 'tk-us-', body: WORD_DASH, min: 48, example: fake('tk-us-', 48) },
  { service: 'Clojars token', prefix: 'CLOJARS_', body: ALNUM, min: 60, example: fake('CLOJARS_', 60) }
]

function escape (literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * All formats as one rule. A match starts only where no letter, digit or `_` comes before (one
 * attempt per word start) and each body is one character class read greedily: no format can make the
 * engine read a run twice.
 */
export function tokenFormatsPattern (formats: readonly TokenFormat[] = TOKEN_FORMATS): string {
  return `(?<![A-Za-z0-9_])(?:${formats.map(f => `${escape(f.prefix)}${f.body}{${f.min},}`).join('|')})`
}
