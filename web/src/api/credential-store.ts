/**
 * An API key for this browser tab only: sessionStorage, so it is gone when the tab closes, never written to a
 * URL, a cookie or localStorage. A console or desk page signs in with it.
 */
export class CredentialStore {
  constructor(private readonly name: string) {}

  get(): string | null {
    try {
      return sessionStorage.getItem(this.name);
    } catch {
      return null;
    }
  }

  set(key: string): void {
    sessionStorage.setItem(this.name, key);
  }

  clear(): void {
    sessionStorage.removeItem(this.name);
  }
}
