import { CredentialStore } from '../api/credential-store';

/** The console's administrator or operator key, for this tab only. */
export const consoleCredentials = new CredentialStore('oblik.console.key');
