#!/usr/bin/env python3
"""Writes cases.tsv: the secrets corpus. Every key is synthetic: random
characters in the right shape from a fixed seed (checksums computed the
way the providers compute them), never a real credential.

Format, one case per line, tab-separated: label, path, text.
  label  + must be found (the secret is wrapped in « »), - must not be found
  text   ⏎ stands for a line break
Run: python3 tests/secrets-corpus/generate.py > tests/secrets-corpus/cases.tsv
"""
import base64, json, random, zlib

R = random.Random(5)
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
HEX = "0123456789abcdef"
UP32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B64 = B62 + "+/"
URL64 = B62 + "-_"


def rnd(alpha, n):
    return "".join(R.choice(alpha) for _ in range(n))


def b62(n, width=6):
    s = ""
    while n:
        s = B62[n % 62] + s
        n //= 62
    return s.rjust(width, "0")


def gh(prefix):
    body = rnd(B62, 30)
    return prefix + body + b62(zlib.crc32(body.encode()))


def b64url(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def jwt():
    return b64url({"alg": "HS256", "typ": "JWT"}) + "." + b64url(
        {"sub": rnd(HEX, 8), "iat": 1700000000}) + "." + rnd(URL64, 43)


def pem(kind="RSA "):
    body = "⏎".join(rnd(B64, 64) for _ in range(6))
    return f"-----BEGIN {kind}PRIVATE KEY-----⏎{body}⏎-----END {kind}PRIVATE KEY-----"


def pw():
    return rnd(B62, 6) + R.choice("!#%*") + rnd(B62, 7)


pos, neg = [], []
P = lambda path, text: pos.append((path, text))
N = lambda path, text: neg.append((path, text))
m = lambda s: f"«{s}»"

# --- positives: provider formats in the files they turn up in -------------
for path, fmt in [("src/config.js", "const accessKeyId = '{}';"),
                  ("app/settings.py", "AWS_ACCESS_KEY_ID = \"{}\""),
                  ("deploy/task.json", "\"aws_access_key_id\": \"{}\",")]:
    P(path, fmt.format(m("AKIA" + rnd(UP32, 16))))
P("config/aws.ini", "aws_secret_access_key = " + m(rnd(B64, 40)))
P("src/s3.py", "AWS_SECRET_ACCESS_KEY = \"" + m(rnd(B64, 40)) + "\"")
for prefix, path, fmt in [("ghp_", "scripts/release.sh", "export GITHUB_TOKEN={}"),
                          ("gho_", "src/github.ts", "const auth = '{}';"),
                          ("ghs_", ".github/workflows/sync.yml", "          token: {}"),
                          ("ghu_", "tools/bot.py", "client = Github(\"{}\")"),
                          ("ghr_", "src/refresh.go", "refresh := \"{}\"")]:
    P(path, fmt.format(m(gh(prefix))))
P("src/gh.js", "const pat = '" + m("github_pat_" + rnd(B62, 22) + "_" + rnd(B62, 59)) + "';")
P(".gitlab-ci.yml", "    GL_TOKEN: " + m("glpat-" + rnd(URL64, 20)))
P("src/slack.js", "const slack = new WebClient('" + m(f"xoxb-{rnd('0123456789', 12)}-{rnd('0123456789', 13)}-{rnd(B62, 24)}") + "');")
P("bot/app.py", "SLACK_USER_TOKEN = '" + m(f"xoxp-{rnd('0123456789', 12)}-{rnd('0123456789', 12)}-{rnd('0123456789', 13)}-{rnd(HEX, 32)}") + "'")
P("src/notify.go", "const hook = \"" + m(f"https://hooks.slack.com/services/T{rnd(UP32, 10)}/B{rnd(UP32, 10)}/{rnd(B62, 24)}") + "\"")
P("src/app.py", "APP_TOKEN = \"" + m(f"xapp-1-A{rnd(UP32, 10)}-{rnd('0123456789', 13)}-{rnd(HEX, 64)}") + "\"")
for path, fmt in [("src/payments.js", "const stripe = require('stripe')('{}');"),
                  ("billing/stripe.py", "stripe.api_key = \"{}\""),
                  ("cmd/billing/main.go", "stripe.Key = \"{}\"")]:
    P(path, fmt.format(m("sk_live_" + rnd(B62, 24))))
P("src/checkout.ts", "const stripe = new Stripe('" + m("sk_test_" + rnd(B62, 24)) + "');")
P("src/webhooks.js", "const endpointSecret = '" + m("whsec_" + rnd(B62, 32)) + "';")
P("web/maps.js", "const MAPS = '" + m("AIza" + rnd(URL64, 35)) + "';")
P("config/firebase.json", "  \"apiKey\": \"" + m("AIza" + rnd(URL64, 35)) + "\",")
sa_key = pem("")
P("deploy/service-account.json", "{⏎  \"type\": \"service_account\",⏎  \"private_key_id\": \"" + rnd(HEX, 40) + "\",⏎  \"private_key\": \"" + m(sa_key.replace("⏎", "\\n")) + "\\n\",⏎  \"client_email\": \"app@proj.iam.gserviceaccount.com\"⏎}")
P("config/storage.json", "\"conn\": \"DefaultEndpointsProtocol=https;AccountName=orders;AccountKey=" + m(rnd(B64, 86) + "==") + ";EndpointSuffix=core.windows.net\"")
P("src/sms.js", "const client = twilio('" + m("SK" + rnd(HEX, 32)) + "', secret);")
P("app/mail.py", "sg = SendGridAPIClient(\"" + m("SG." + rnd(URL64, 22) + "." + rnd(URL64, 43)) + "\")")
P("src/mail.js", "const mg = mailgun.client({ username: 'api', key: '" + m("key-" + rnd(HEX, 32)) + "' });")
P("notebooks/explore.ipynb", "    \"openai.api_key = \\\"" + m("sk-proj-" + rnd(URL64, 20) + "T3BlbkFJ" + rnd(URL64, 20)) + "\\\"\\n\",")
P("app/llm.py", "client = OpenAI(api_key=\"" + m("sk-" + rnd(B62, 20) + "T3BlbkFJ" + rnd(B62, 20)) + "\")")
P("src/claude.ts", "const anthropic = new Anthropic({ apiKey: '" + m("sk-ant-api03-" + rnd(URL64, 93) + "AA") + "' });")
P(".npmrc", "//registry.npmjs.org/:_authToken=" + m(gh("npm_")))
P(".pypirc", "password = " + m("pypi-AgEIcHlwaS5vcmc" + rnd(URL64, 60)))
P("src/api.test.js" if False else "src/client.js", "const auth = 'Bearer " + m(jwt()) + "';")
P("keys/deploy.pem", m(pem()))
P("deploy/id_ed25519", m(pem("OPENSSH ")))
P("src/keys.js", "const key = `" + m(pem("EC ")) + "`;")
for path, fmt in [(".env.production", "DATABASE_URL=postgres://orders:{}@db.prod.internal:5432/orders"),
                  ("config/database.yml", "  url: mysql://app:{}@10.0.3.7/app"),
                  ("src/db.js", "mongoose.connect('mongodb+srv://svc:{}@cluster0.ab12c.mongodb.net/app');"),
                  ("app/cache.py", "REDIS_URL = \"redis://default:{}@redis-1234.cloud.redislabs.com:1234\""),
                  ("app/db.py", "engine = create_engine(\"postgresql+psycopg2://api:{}@pg.internal/api\")")]:
    P(path, fmt.format(m(pw())))
P("scripts/deploy.sh", "curl -u x https://" + "deploy:" + m(pw()) + "@registry.acme.io/v2/")
P("src/feed.py", "FEED = \"https://reader:" + m(pw()) + "@feeds.acme.io/orders.xml\"")
# Generic credential assignments with random values.
for path, fmt in [("src/config.js", "const sessionSecret = \"{}\";"),
                  ("app/settings.py", "SECRET_KEY = '{}'"),
                  ("config/app.yml", "  api_key: {}"),
                  (".env", "SESSION_SECRET={}"),
                  ("config/application.properties", "spring.datasource.password={}"),
                  ("src/main.go", "const apiToken = \"{}\""),
                  ("src/main.rs", "const API_KEY: &str = \"{}\";"),
                  ("Dockerfile", "ENV API_TOKEN={}"),
                  ("docker-compose.yml", "      POSTGRES_PASSWORD: {}"),
                  (".github/workflows/e2e.yml", "          DB_PASSWORD: {}"),
                  ("tests/fixtures/users.json", "  \"password\": \"{}\","),
                  ("src/auth.js", "const token = jwt.sign(user, '{}');"),
                  ("infra/main.tf", "  client_secret = \"{}\""),
                  ("app/Main.java", "    private static final String API_KEY = \"{}\";"),
                  ("lib/client.rb", "  config.access_token = \"{}\"")]:
    val = rnd(B62, R.choice([24, 32, 40]))
    P(path, fmt.format(m(val)))

# --- negatives: what a service repository is full of ----------------------
for path, text in [
    ("src/config.js", "const accessKeyId = 'AKIAIOSFODNN7EXAMPLE';"),
    ("README.md", "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("src/config.js", "const stripeKey = process.env.STRIPE_SECRET_KEY;"),
    ("src/config.js", "const jwtSecret = process.env.JWT_SECRET || 'superSecret';"),
    ("app/settings.py", "SECRET_KEY = os.environ[\"SECRET_KEY\"]"),
    ("app/settings.py", "SECRET_KEY = os.getenv(\"SECRET_KEY\", \"dev-secret-key-1234\")"),
    ("src/main.go", "apiToken := os.Getenv(\"API_TOKEN\")"),
    ("src/main.rs", "let key = std::env::var(\"API_KEY\").expect(\"API_KEY\");"),
    (".env.example", "STRIPE_SECRET_KEY=sk_live_your_key_here"),
    (".env.example", "API_KEY=changeme"),
    (".env.sample", "SESSION_SECRET=<generate with openssl rand -hex 32>"),
    ("env-example-prod", "DATABASE_URL=postgres://user:password@localhost:5432/app"),
    ("config/app.yml", "  password: ${DB_PASSWORD}"),
    ("config/app.yml", "  api_key: \"{{ .Values.apiKey }}\""),
    ("docker-compose.yml", "      POSTGRES_PASSWORD: postgres"),
    ("docker-compose.yml", "      DATABASE_URL: postgres://postgres:postgres@db:5432/app"),
    ("docker-compose.yml", "      RABBITMQ_URL: amqp://guest:guest@rabbitmq:5672"),
    ("src/db.js", "const url = `postgres://${user}:${password}@${host}/app`;"),
    ("README.md", "    psql postgres://user:pass@example.com/db"),
    ("src/api.js", "const url = 'https://user:password@api.example.com/v1';"),
    ("src/gh.js", "const token = 'ghp_" + rnd(B62, 36) + "';"),  # shape only: checksum fails
    ("docs/setup.sh", "export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ("src/npm.js", "// token looks like npm_" + rnd(B62, 36)),  # checksum fails
    ("src/config.js", "const key = 'sk_live_xxxxxxxxxxxxxxxxxxxxxxxx';"),
    ("src/config.js", "const key = 'sk_test_0000000000000000000000000';"),
    ("src/a.js", "const part = 'eyJmb28iOiJiYXJiYXpxdXgifQ.eyJzdWIiOiI0MiIsIm5hbWUiOiJBZGEifQ." + rnd(URL64, 43) + "';"),
    ("docs/keys.sh", "cat > key.pem <<EOF⏎-----BEGIN RSA PRIVATE KEY-----⏎...⏎-----END RSA PRIVATE KEY-----⏎EOF"),
    ("src/crypto.js", "if (pem.startsWith('-----BEGIN PRIVATE KEY-----')) { return parse(pem); }"),
    ("src/auth.js", "const header = 'Authorization';"),
    ("src/auth.js", "const tokenUrl = 'https://oauth2.googleapis.com/token';"),
    ("src/auth.js", "const passwordField = document.getElementById('password');"),
    ("src/auth.py", "password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt())"),
    ("src/auth.py", "TOKEN_EXPIRES_IN = \"3600s\""),
    ("src/auth.py", "def reset_password(user, token): ..."),
    ("src/forms.py", "password = forms.CharField(widget=forms.PasswordInput)"),
    ("src/users.ts", "user.password = await hash(input.password, 12);"),
    ("src/api.ts", "const csrfToken = req.csrfToken();"),
    ("templates/form.html", "<input type=\"hidden\" name=\"csrf_token\" value=\"{{ csrf_token() }}\">"),
    ("package.json", "    \"jsonwebtoken\": \"^9.0.2\","),
    ("package-lock.json", "      \"integrity\": \"sha512-" + rnd(B64, 86) + "==\","),
    ("go.sum", "github.com/golang-jwt/jwt/v5 v5.2.1 h1:" + rnd(B64, 43) + "="),
    ("src/ids.js", "const requestId = '" + rnd(HEX, 8) + "-" + rnd(HEX, 4) + "-4" + rnd(HEX, 3) + "-a" + rnd(HEX, 3) + "-" + rnd(HEX, 12) + "';"),
    ("src/build.js", "const commit = '" + rnd(HEX, 40) + "';"),
    ("src/color.css", ".btn { color: #a1b2c3; }"),
    ("src/i18n.json", "  \"password_too_short\": \"Password must be at least 8 characters\","),
    ("src/i18n.json", "  \"reset_token_expired\": \"Your reset token has expired\","),
    ("config/app.yml", "  password: changeme"),
    ("config/app.yml", "  secret: your-secret-here"),
    ("config/app.yml", "  token: xxx"),
    ("config/app.yml", "  api_key: <your-api-key>"),
    ("config/app.yml", "  password: '********'"),
    ("config/app.yml", "  secret_key: aaaaaaaaaaaaaaaaaaaaaaaa"),
    ("app/settings.py", "SECRET_KEY = 'django-insecure-change-me-before-deploying'"),
    ("src/test.js", "const password = 'password123';"),
    ("src/config.js", "const secretPath = '/var/run/secrets/app/token';"),
    ("src/config.js", "const tokenType = 'Bearer';"),
    ("src/keys.go", "const privateKeyFile = \"/etc/app/key.pem\""),
    ("k8s/deploy.yaml", "        - name: API_TOKEN⏎          valueFrom:⏎            secretKeyRef:⏎              name: app⏎              key: api-token"),
    (".github/workflows/ci.yml", "        env:⏎          STRIPE_KEY: ${{ secrets.STRIPE_KEY }}"),
    ("src/slack.js", "const slack = new WebClient(process.env.SLACK_BOT_TOKEN);"),
    ("README.md", "Set `SLACK_WEBHOOK=https://hooks.slack.com/services/T000/B000/XXXX` in your env."),
    ("src/mail.js", "const key = 'key-" + "0" * 32 + "';"),
    ("src/task.js", "const taskId = 'SKIP_NOTIFICATIONS';"),
    ("src/risk.py", "RISK_LEVELS = ['low', 'medium', 'high']"),
    ("src/asia.js", "const tz = 'Asia/Tokyo';"),
    ("src/app.py", "app.config['SECRET_KEY'] = os.environ.get('SECRET_KEY')"),
    ("src/app.rb", "  config.secret_key_base = ENV['SECRET_KEY_BASE']"),
    ("config/app.yml", "  password_min_length: 12"),
    ("src/llm.py", "client = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])"),
    ("src/llm.py", "# keys look like sk-...T3BlbkFJ..."),
    ("README.md", "DATABASE_URL=postgres://postgres:postgres@localhost:5432/app"),
    ("src/db.ts", "const url = 'mysql://root:root@127.0.0.1:3306/test';"),
    ("src/auth.ts", "jwt.sign(payload, process.env.JWT_SECRET!, { expiresIn: '1h' });"),
    ("src/auth.ts", "jwt.sign(payload, config.jwtSecret);"),
    ("src/secret.ts", "export const SECRET_HEADER = 'x-webhook-signature';"),
    ("tests/fixtures/users.json", "  \"password\": \"hunter2\","),
    ("src/pw.js", "const password = generatePassword({ length: 32, numbers: true });"),
    ("terraform/vars.tf", "  sensitive = true⏎  default   = \"\""),
]:
    N(path, text)

# --- held out: written after the scanner was tuned on the cases above and
# kept whatever the result, so the figures are not only self-fulfilling.
P("config/production.yml", "  password: \"" + m("Tr0ub4dor&3x") + "\"")
P("src/auth0.js", "const AUTH0_CLIENT_SECRET = '" + m(rnd(HEX, 64)) + "';")
P("internal/db/db.go", "var dbPassword string = \"" + m(pw()) + "\"")
P("config/settings.toml", "secret_key = \"" + m(rnd(B64, 44)) + "\"")
P("app/config.py", "HMAC_SECRET = b\"" + m(rnd(B62, 32)) + "\"")
P("src/client.ts", "headers: { 'x-api-key': '" + m(rnd(B62, 32)) + "' },")
N("config/app.json", "  \"api_key\": \"YOUR_API_KEY\",")
N("config/app.yml", "  client_secret: \"\"")
N("src/seed.js", "const api_key = '0123456789abcdef0123456789abcdef';")
N("src/login.py", "password = getpass.getpass(\"Password: \")")
N("src/validate.js", "const passwordRegex = /^(?=.*[A-Z])(?=.*\\d).{8,}$/;")
N("src/http.js", "headers.Authorization = 'Bearer ' + token;")
N("src/icons.js", "const tokenIcon = 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=';")
N("src/keys.ts", "export const API_KEY_HEADER_NAME = 'X-Api-Key';")
N("app/models.py", "    password = models.CharField(max_length=128)")

print("# synthetic secrets corpus: generated by generate.py, do not edit by hand")
for label, rows in (("+", pos), ("-", neg)):
    for path, text in rows:
        assert "\t" not in text and "\n" not in text, text
        print(f"{label}\t{path}\t{text}")
