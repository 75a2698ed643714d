import { TOKEN_FORMATS } from '../../lib/sanitizer/token-formats.js'

// Secrets a scanner knows, each with the part that must never come out.
export const SECRETS: Array<{ text: string, core: string }> = [
  { text: 'jane.doe@example.com', core: 'jane.doe@example.com' },
  { text: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJlLXZhbHVl', core: 'eyJzdWIiOiJhYmMifQ' },
  { text: 'AKIAIOSFODNN7EXAMPLE', core: 'AKIAIOSFODNN7EXAMPLE' },
  { text: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a', core: '16C7e42F292c6912E7710c838347Ae178B4a' },
  { text: 'xoxp-2222222222-3333333333-abcdefabcdef', core: '2222222222-3333333333' },
  { text: 'sk_live_51HqLyjWDarjtT1zdp7dcXYZ', core: '51HqLyjWDarjtT1zdp7dc' },
  { text: 'glpat-AbCdEfGh12345678IjKl', core: 'AbCdEfGh12345678IjKl' },
  { text: 'postgres://admin:Tr0ub4dor3@db:5432/x', core: 'Tr0ub4dor3' },
  { text: 'Bearer 9f8e7d6c5b4a39281706abcdef', core: '9f8e7d6c5b4a39281706abcdef' },
  { text: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----', core: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' },
  { text: 'Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNbVcXz', core: 'Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNbVcXz' },
  { text: 'c.1521_1523delCTT', core: 'c.1521_1523delCTT' },
  { text: 'chr7:117559590-117559592', core: '117559590-117559592' }
]

// The shapes issue 16 found readable in the table, and the other formats the rules now know.
export const MORE_SECRETS: Array<{ text: string, core: string }> = [
  { text: 'fetch failed: GET https://api.example.com/v1/items?api_key=Qk7rT2pLm9 (500)', core: 'Qk7rT2pLm9' },
  { text: 'redirect to /cb?state=1&access_token=Zr8wXq3Tn5&x=1', core: 'Zr8wXq3Tn5' },
  { text: 'POST /oauth/token body client_secret=Hy6vPb2Kd4', core: 'Hy6vPb2Kd4' },
  { text: 'login with password: Hunter7Kq', core: 'Hunter7Kq' },
  { text: 'payload {"password":"Sw0rdF1shQ","user":"a"}', core: 'Sw0rdF1shQ' },
  { text: 'env DB_PASSWORD=Pg5ecretQz set', core: 'Pg5ecretQz' },
  { text: 'PGPASSWORD=Lm4nOp9Qrs psql -h db', core: 'Lm4nOp9Qrs' },
  { text: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', core: 'wJalrXUtnFEMI/K7MDENG' },
  { text: 'secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY in a message', core: 'bPxRfiCYEXAMPLEKEY' },
  { text: 'Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b', core: '9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b' },
  { text: 'card 4111 1111 1111 1111 charged', core: '4111 1111 1111 1111' },
  { text: 'card 5500005555555559 declined', core: '5500005555555559' },
  { text: 'IBAN DE89 3704 0044 0532 0130 00 on file', core: '3704 0044 0532' },
  { text: 'ssn 078-05-1120 verified', core: '078-05-1120' },
  { text: 'redis://:p@ss@w0rd@cache:6379/0', core: 'ss@w0rd' },
  { text: 'TP53 at chr17:7579472 reported', core: '7579472' },
  { text: 'Cookie: sid=31d4d96e407aad42; theme=dark', core: '31d4d96e407aad42' },
  { text: 'Set-Cookie: session=Qa1Ws2Ed3Rf4; HttpOnly', core: 'Qa1Ws2Ed3Rf4' },
  { text: 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXX', core: 'T0000/B0000' },
  { text: 'azure abc8Q~Xy1.Zw2_Vu3~Ts4Rq5Po6Nm7Lk8Jh9Gf0', core: 'Xy1.Zw2_Vu3~Ts4Rq5Po6' },
  { text: 'bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9', core: 'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9' },
  { text: 'variant c.215+1G>A and g.7579472C>T', core: '7579472C>T' },
  ...TOKEN_FORMATS.map(f => ({ text: `using ${f.example} now`, core: f.example.slice(f.prefix.length) }))
]

// Shapes the attacker review of issue 16 found readable after the first round of rules.
export const REVIEW_SECRETS: Array<{ text: string, core: string }> = [
  { text: 'payload "password": ["Arr4yPw9Q"] sent', core: 'Arr4yPw9Q' },
  { text: '{"password": {"value":"0bjPw7Kq"}}', core: '0bjPw7Kq' },
  { text: 'cvv=777&pin_code=4321&{"password":["T3xtPwQ"]}', core: 'T3xtPwQ' },
  { text: 'form cvv=778&x=1', core: 'cvv=778' },
  { text: 'form pin_code=4329&x=1', core: 'pin_code=4329' },
  { text: '{"cvv":"123","ssn":"078051120","password":["Js0nStrPw"]}', core: 'Js0nStrPw' },
  { text: 'body {"cvv":"124","x":1}', core: '"cvv":"124"' },
  { text: 'body {"ssn":"078051121","x":1}', core: '078051121' },
  { text: 'password=' + 'Lx'.repeat(150), core: 'LxLxLxLx' },
  { text: 'password="' + 'ab Qd '.repeat(60) + '"', core: 'ab Qd ab Qd' },
  { text: 'postgres://app:pa/Sl4shQ@db/prod', core: 'Sl4shQ' },
  { text: 'postgres://app:pa#H4shQ@db/prod', core: 'H4shQ' },
  { text: 'postgres://app:pa?Qm4rk@db/prod', core: 'Qm4rk' },
  { text: 'redis://u:pa Sp4ceQ@h', core: 'Sp4ceQ' },
  { text: 'password\t\t\t\t\t=T4bPw9Q', core: 'T4bPw9Q' },
  { text: 'password\uff1a FwC0lonQ', core: 'FwC0lonQ' },
  { text: '\uff30\uff21\uff33\uff33\uff37\uff2f\uff32\uff24=FwK3yQ', core: 'FwK3yQ' },
  { text: 'passw0rd=Z3roPwQ', core: 'Z3roPwQ' },
  { text: 'pw=Pw0nly8Q', core: 'Pw0nly8Q' },
  { text: '<password>XmlPw5Q</password>', core: 'XmlPw5Q' },
  { text: 'curl -u admin:Cu7lPwQ https://x', core: 'Cu7lPwQ' },
  { text: 'mysql -u root -pMyPw6xQ db', core: 'MyPw6xQ' },
  { text: 'ssn 078 05 1120 on file', core: '078 05 1120' },
  { text: 'card 4111.1111.1111.1111 on file', core: '4111.1111.1111.1111' },
  { text: 'iban de89370400440532013000 on file', core: 'de89370400440532013000' },
  { text: 'diners 3056 9309 0259 04 on file', core: '3056 9309 0259 04' }
]

/**
 * Values that look like nothing secret and must survive every rule unchanged: ids, hashes, UUIDs,
 * W3C trace and span ids, versions, timestamps, addresses, paths and ordinary messages.
 */
export const ORDINARY_VALUES: string[] = [
  'user-42', 'order 123456 shipped', 'tenant-17', 'eu-west-1', 'GET', '/api/v1/orders/42/items',
  '550e8400-e29b-41d4-a716-446655440000', '7f3c0001-1b2a-4c5d-9e8f-000000001f0f',
  'da39a3ee5e6b4b0d3255bfef95601890afd80709', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  'fixed in commit 3f2a9c8e1b7d6a5f4e3c2b1a0f9e8d7c6b5a4f3e', 'merge e83c5163316f89bfbde7d9ab23ca2e25604af290',
  '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 'traceparent 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  'v1.2.3', 'version 2.10.4-beta.1', 'node v20.20.2', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36',
  '2026-11-28T13:44:12.123Z', '2026-11-28 13:44:12', 'took 1764336252123 ms since epoch', '1764336252', 'ratio 3:4 at 10:30',
  '10.0.1.7', '192.168.100.200', '2001:db8::8a2e:370:7334', '::1', 'localhost:5432', 'db.internal:5432',
  'https://example.com/path?q=1&page=2', 'user@localhost', 'C:\\Users\\build\\app.js', '/usr/local/lib/node_modules/pino/lib/proto.js:42:7',
  'Error: connect ECONNREFUSED 127.0.0.1:5432', 'TypeError: Cannot read properties of undefined (reading \'id\')',
  'status=200 duration_ms=12.5', 'cache hit for key users:1', 'retry 3 of 5 after 250ms', 'the monkey ate a banana',
  'Bearer of news', 'Basic plan', 'chapter c.12 in the book', 'e.g. this', 'tests pass', 'tokens_used=1532', 'max_tokens=256',
  'order_id=4111', 'invoice INV-2026-000123', 'sku ABC-12345-XL', 'phone ext 1234', 'port 8080', '1.5e-7', '-273.15',
  'sessionStorage cleared', 'keyboard layout us', 'author: Jane', 'bypass=true', 'passenger count 3', 'compass heading 270',
  'monkey=banana', 'docker run -u 1000:1000 app', 'ls -p /tmp', 'mysql -u root -p', 'pinned: true', 'spinner=1', 'tokens_used: 1532',
  'http://localhost:3000/a?to=1', 'see http://db.internal:5432/x then retry', 'md5 ab12cdef0123456789abcdef01234567', 'v1.2.3.4', '<title>Orders</title>'
]
