// A real OpenID Connect provider (node-oidc-provider, from npm) for the single sign-on tests, in a process of
// its own: `node tests/identity/oidc_provider.mjs CONFIG.json`. CONFIG holds the port, one client and the
// accounts; the accounts are read again at every sign-in, so a test can change a person's claims between two.
// Its login page is the library's own (devInteractions): the login names the account, the password is not
// checked. It prints "ready" once it listens.
import { readFileSync } from "node:fs";
import http from "node:http";

import Provider from "oidc-provider";

const configPath = process.argv[2];
const config = JSON.parse(readFileSync(configPath, "utf8"));
const issuer = `http://127.0.0.1:${config.port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: config.client.client_id,
      client_secret: config.client.client_secret,
      redirect_uris: config.client.redirect_uris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "given_name", "family_name", "zoneinfo", "department", "job_title", "title"],
  },
  async findAccount(ctx, id) {
    const accounts = JSON.parse(readFileSync(configPath, "utf8")).accounts;
    if (!Object.hasOwn(accounts, id)) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) };
  },
  cookies: { keys: ["sidebar-tests-only"] },
  features: { devInteractions: { enabled: true } },
});

const server = http.createServer(provider.callback());
server.listen(config.port, "127.0.0.1", () => console.log("ready"));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
