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
