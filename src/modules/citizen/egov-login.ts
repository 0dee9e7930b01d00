/**
 * The national eGov login over OpenID Connect, as a citizen's second factor (or first activation without a
 * desk-given contact). This is the port only: issue 12 builds the provider and its adapter (authorisation code
 * flow with PKCE, ID token signature and `nonce` checked against the issuer's JWKS). Configured by
 * OBLIK_EGOV_OIDC_* (src/config/config.ts); with none set, eGov login is not offered.
 */
export interface EgovLoginSettings {
  /** The issuer URL; its `/.well-known/openid-configuration` names the endpoints and keys. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Where the provider returns the citizen (this deployment's callback). */
  readonly redirectUri: string;
}

/** Who the eGov login says signed in: its stable subject for this client, bound to one Oblik person at a desk. */
export interface EgovIdentity {
  readonly subject: string;
  readonly authenticatedAt: string;
}

export interface EgovLogin {
  /** The provider URL to send the citizen to, bound to this sign-in by `state` and `nonce`. */
  authorisationUrl(request: { state: string; nonce: string; codeChallenge: string }): Promise<string>;
  /** Exchanges the code the provider returned for a verified identity (throws on any check that fails). */
  identify(response: { code: string; nonce: string; codeVerifier: string }): Promise<EgovIdentity>;
}
