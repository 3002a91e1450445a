//! Sign-in with the municipality's account: OpenID Connect (authorization code flow with PKCE)
//! against the operator's identity provider (Microsoft Entra ID or any certified provider).
//!
//! The protocol work is the `openidconnect` crate's: discovery, the authorization URL, the code
//! exchange and every check of the ID token (signature against the provider's published keys,
//! `iss`, `aud`, `exp`, `nonce`). Pinne adds what the crate leaves to its user: which signature
//! algorithms are acceptable (asymmetric only: never `none`, never HMAC with a public key),
//! fetching the keys again when the provider signs with a new one, and the rules that turn the
//! provider's claims into a Pinne account ([`Settings::role_from_groups`], [`Settings::mfa`]).
//! The browser side (state, the attempt's cookie, sessions) is in `web::oidc`.
//!
//! Configured by a TOML file (`pinne serve --oidc FILE`, see docs/OIDC.md); the client secret
//! comes from `PINNE_OIDC_CLIENT_SECRET` or a file, never from the command line.

use crate::domain::account::Role;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRevocableToken,
    CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClaimsVerificationError, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IdTokenVerifier, IssuerUrl,
    LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, RequestTokenError, Scope, SignatureVerificationError, StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The environment variable that may carry the client secret.
pub const SECRET_ENV: &str = "PINNE_OIDC_CLIENT_SECRET";
/// A sign-in must come back from the provider within this long (seconds).
pub const ATTEMPT_LIFETIME: i64 = 10 * 60;
/// An API token of a federated account works this long after its owner last signed in through
/// the provider (seconds): someone who left the municipality stops signing in, and their
/// tokens stop with them.
pub const TOKEN_GRACE: i64 = 30 * 24 * 3600;
/// The provider's metadata is fetched again after this long.
const METADATA_MAX_AGE: Duration = Duration::from_secs(3600);
/// The keys are fetched again (for a key the provider just began to sign with) at most this often.
const KEYS_MIN_INTERVAL: Duration = Duration::from_secs(10);

/// Signature algorithms accepted on ID tokens: asymmetric ones only.
const ALLOWED_ALGS: [CoreJwsSigningAlgorithm; 10] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EcdsaP521Sha512,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// How federated accounts come about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountMode {
    /// Role and insatser follow the provider's groups at every sign-in; the account is made at
    /// the first one.
    Groups,
    /// The förbundschef makes the account in Pinne (role, insatser); it is linked to the
    /// provider's subject at its first sign-in by its user name.
    Linked,
}

/// One group of the provider and what it gives in Pinne.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct GroupRule {
    /// The group as the provider sends it (Entra ID: the group's object id).
    pub id: String,
    pub role: Role,
    /// Insats keys (for coach and huvudman).
    #[serde(default)]
    pub insatser: Vec<String>,
}

/// The file's settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    issuer: String,
    client_id: String,
    client_secret_file: Option<PathBuf>,
    redirect_url: String,
    post_logout_redirect_url: Option<String>,
    #[serde(default = "default_scopes")]
    scopes: Vec<String>,
    #[serde(default = "default_username_claim")]
    username_claim: String,
    #[serde(default = "default_groups_claim")]
    groups_claim: String,
    accounts: AccountMode,
    #[serde(default = "yes")]
    local_login: bool,
    #[serde(default = "yes")]
    provider_logout: bool,
    #[serde(default = "default_mfa_amr")]
    mfa_amr: Vec<String>,
    #[serde(default)]
    mfa_acr: Vec<String>,
    #[serde(default)]
    group: Vec<GroupRule>,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into(), "email".into()]
}
fn default_username_claim() -> String {
    "preferred_username".into()
}
fn default_groups_claim() -> String {
    "groups".into()
}
fn default_mfa_amr() -> Vec<String> {
    vec!["mfa".into()]
}
fn yes() -> bool {
    true
}

/// The client secret: never printed.
#[derive(Clone)]
pub struct Secret(String);
impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Checked settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub issuer: IssuerUrl,
    pub client_id: ClientId,
    pub secret: Secret,
    pub redirect_url: RedirectUrl,
    pub post_logout_redirect_url: PostLogoutRedirectUrl,
    pub scopes: Vec<String>,
    pub username_claim: String,
    pub groups_claim: String,
    pub accounts: AccountMode,
    /// Whether local accounts (name and password) may still sign in.
    pub local_login: bool,
    /// Whether signing out of Pinne also signs out at the provider (RP-initiated logout).
    pub provider_logout: bool,
    pub mfa_amr: Vec<String>,
    pub mfa_acr: Vec<String>,
    pub groups: Vec<GroupRule>,
}

impl Settings {
    /// Reads the file; the secret from `secret_env` (the value of `PINNE_OIDC_CLIENT_SECRET`)
    /// or else the file the settings name. Errors are for the operator, in English.
    pub fn load(path: &Path, secret_env: Option<String>) -> anyhow::Result<Settings> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the OpenID Connect settings {}: {e}", path.display()))?;
        Settings::parse(&text, secret_env, path.parent().unwrap_or(Path::new(".")))
    }

    pub fn parse(text: &str, secret_env: Option<String>, base: &Path) -> anyhow::Result<Settings> {
        let f: File = toml::from_str(text).map_err(|e| anyhow::anyhow!("OpenID Connect settings: {e}"))?;
        let issuer = IssuerUrl::new(f.issuer.clone()).map_err(|e| anyhow::anyhow!("issuer: {e}"))?;
        let redirect_url =
            RedirectUrl::new(f.redirect_url.clone()).map_err(|e| anyhow::anyhow!("redirect_url: {e}"))?;
        let post_logout = match &f.post_logout_redirect_url {
            Some(u) => u.clone(),
            None => {
                let mut u = redirect_url.url().clone();
                u.set_path("/login");
                u.set_query(None);
                u.to_string()
            }
        };
        let post_logout_redirect_url =
            PostLogoutRedirectUrl::new(post_logout).map_err(|e| anyhow::anyhow!("post_logout_redirect_url: {e}"))?;
        let secret = match (secret_env.filter(|s| !s.trim().is_empty()), &f.client_secret_file) {
            (Some(s), _) => s.trim().to_string(),
            (None, Some(file)) => {
                let file = if file.is_absolute() { file.clone() } else { base.join(file) };
                std::fs::read_to_string(&file)
                    .map_err(|e| anyhow::anyhow!("cannot read client_secret_file {}: {e}", file.display()))?
                    .trim()
                    .to_string()
            }
            (None, None) => {
                anyhow::bail!("no client secret: set {SECRET_ENV} or client_secret_file (never on the command line)")
            }
        };
        if secret.is_empty() {
            anyhow::bail!("the client secret is empty");
        }
        if !f.scopes.iter().any(|s| s == "openid") {
            anyhow::bail!("scopes must include \"openid\"");
        }
        let plain_http = |u: &openidconnect::url::Url| {
            u.scheme() == "http" && !matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
        };
        if plain_http(issuer.url()) || plain_http(redirect_url.url()) {
            anyhow::bail!("issuer and redirect_url must be https (plain http only on loopback, for tests)");
        }
        if f.accounts == AccountMode::Groups && f.group.is_empty() {
            anyhow::bail!("accounts = \"groups\" needs at least one [[group]] that gives a role");
        }
        let mut seen = BTreeSet::new();
        for g in &f.group {
            if g.id.trim().is_empty() {
                anyhow::bail!("a [[group]] has an empty id");
            }
            if !seen.insert((g.id.clone(), g.role.as_str())) {
                anyhow::bail!("group {} is given the role {} twice", g.id, g.role.as_str());
            }
            if g.role.has_insatser() && g.insatser.is_empty() {
                anyhow::bail!("group {} gives the role {} but no insatser", g.id, g.role.as_str());
            }
            if !g.role.has_insatser() && !g.insatser.is_empty() {
                anyhow::bail!("group {}: the role {} sees every insats; remove insatser", g.id, g.role.as_str());
            }
        }
        Ok(Settings {
            issuer,
            client_id: ClientId::new(f.client_id),
            secret: Secret(secret),
            redirect_url,
            post_logout_redirect_url,
            scopes: f.scopes,
            username_claim: f.username_claim,
            groups_claim: f.groups_claim,
            accounts: f.accounts,
            local_login: f.local_login,
            provider_logout: f.provider_logout,
            mfa_amr: f.mfa_amr,
            mfa_acr: f.mfa_acr,
            groups: f.group,
        })
    }

    /// Every insats a group names must exist in the configuration.
    pub fn check_insatser(&self, known: impl Fn(&str) -> bool) -> anyhow::Result<()> {
        for g in &self.groups {
            if let Some(k) = g.insatser.iter().find(|k| !known(k)) {
                anyhow::bail!("group {} names the insats {k}, which the configuration does not have", g.id);
            }
        }
        Ok(())
    }

    /// The role and insats keys the user's groups give: the strongest role any group gives
    /// (förbundschef, huvudman, coach, läsare), with the insatser of every group that gives it.
    /// `None` when no group gives a role.
    pub fn role_from_groups(&self, groups: &[String]) -> Option<(Role, Vec<String>)> {
        let rank = |r: Role| match r {
            Role::Forbundschef => 3,
            Role::Huvudman => 2,
            Role::Coach => 1,
            Role::Lasare => 0,
        };
        let matched: Vec<&GroupRule> = self.groups.iter().filter(|g| groups.contains(&g.id)).collect();
        let role = matched.iter().map(|g| g.role).max_by_key(|r| rank(*r))?;
        let insatser: BTreeSet<String> =
            matched.iter().filter(|g| g.role == role).flat_map(|g| g.insatser.iter().cloned()).collect();
        Some((role, insatser.into_iter().collect()))
    }

    /// Whether the provider asserted a second factor for this sign-in.
    pub fn mfa(&self, amr: &[String], acr: Option<&str>) -> bool {
        amr.iter().any(|a| self.mfa_amr.contains(a)) || acr.is_some_and(|a| self.mfa_acr.iter().any(|m| m == a))
    }
}

/// Claims of the ID token beyond the standard ones (the groups claim is named in the settings).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Extra {
    #[serde(flatten)]
    pub claims: serde_json::Map<String, serde_json::Value>,
}
impl AdditionalClaims for Extra {}

type Fields = IdTokenFields<
    Extra,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type TokenResponse = StandardTokenResponse<Fields, CoreTokenType>;
type OidcClient = Client<
    Extra,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a sign-in failed: each has an audit detail (English-free Swedish, no provider text) and
/// a message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The provider could not be reached or answered nonsense.
    ProviderDown,
    /// The provider refused the code (used before, expired, or another client's).
    CodeRefused,
    /// The ID token is for another client.
    WrongAudience,
    /// The ID token is from another issuer.
    WrongIssuer,
    /// The ID token has expired.
    Expired,
    /// The ID token belongs to another sign-in.
    WrongNonce,
    /// The signature does not verify, or the algorithm is not allowed.
    BadSignature,
    /// The token response had no ID token, or one that could not be read.
    Malformed,
}

impl Failure {
    pub fn audit(&self) -> &'static str {
        match self {
            Failure::ProviderDown => "kommunens inloggning svarade inte",
            Failure::CodeRefused => "koden från kommunens inloggning godtogs inte (redan använd eller för gammal)",
            Failure::WrongAudience => "ID-token för ett annat system (aud)",
            Failure::WrongIssuer => "ID-token från en annan utfärdare (iss)",
            Failure::Expired => "ID-token har gått ut (exp)",
            Failure::WrongNonce => "ID-token hör till en annan inloggning (nonce)",
            Failure::BadSignature => "ID-token med ogiltig eller otillåten signatur",
            Failure::Malformed => "svaret från kommunens inloggning kunde inte läsas",
        }
    }
    pub fn message(&self) -> &'static str {
        match self {
            Failure::ProviderDown => {
                "Kommunens inloggning svarar inte just nu. Försök igen om en stund. Om det inte går, kontakta kommunens it-support."
            }
            Failure::CodeRefused => {
                "Inloggningen gick inte att slutföra, den kan redan ha använts. Börja om från början."
            }
            _ => {
                "Inloggningen med kommunens konto kunde inte godkännas. Börja om från början. Om det händer igen, kontakta kommunens it-support."
            }
        }
    }
}

/// What Pinne learns from a verified ID token.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    /// The configured user-name claim, or the subject if the provider sent none.
    pub username: String,
    /// Whether the user name may link an account made in Pinne: not an e-mail address the
    /// provider does not say it has verified (`email_verified`), since anyone may be able to
    /// give their account any address at some providers.
    pub username_trusted: bool,
    pub groups: Vec<String>,
    pub amr: Vec<String>,
    pub acr: Option<String>,
    /// The ID token as received (the hint for signing out at the provider).
    pub id_token: String,
}

/// A sign-in to send the browser to.
pub struct Start {
    pub url: openidconnect::url::Url,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

struct Cached {
    metadata: ProviderMetadataWithLogout,
    fetched: Instant,
    /// When the keys were last fetched again (not at discovery).
    keys_fetched: Option<Instant>,
}

/// The provider as Pinne uses it: settings, an HTTP client, and the provider's metadata and keys
/// (fetched at the first sign-in, not at start: Pinne starts while the provider is down).
pub struct Oidc {
    pub settings: Settings,
    http: reqwest::Client,
    cache: tokio::sync::Mutex<Option<Cached>>,
}

impl Oidc {
    pub fn new(settings: Settings) -> anyhow::Result<Oidc> {
        let http = reqwest::Client::builder()
            // Following redirects would let a provider response send Pinne elsewhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .build()?;
        Ok(Oidc { settings, http, cache: tokio::sync::Mutex::new(None) })
    }

    /// The provider's metadata (discovery and keys), cached for an hour.
    async fn metadata(&self) -> Result<ProviderMetadataWithLogout, Failure> {
        if let Some(c) = self.cache.lock().await.as_ref().filter(|c| c.fetched.elapsed() < METADATA_MAX_AGE) {
            return Ok(c.metadata.clone());
        }
        // Fetched without holding the cache (two fetches at once are harmless), so a sign-out,
        // which reads only the cache, never waits for the network.
        let metadata = ProviderMetadataWithLogout::discover_async(self.settings.issuer.clone(), &self.http)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "OpenID Connect discovery failed");
                Failure::ProviderDown
            })?;
        *self.cache.lock().await =
            Some(Cached { metadata: metadata.clone(), fetched: Instant::now(), keys_fetched: None });
        Ok(metadata)
    }

    /// Fetches the provider's keys again (it signs with a key not yet seen); false if they were
    /// fetched moments ago or cannot be.
    async fn refresh_keys(&self) -> bool {
        let uri = {
            let mut cache = self.cache.lock().await;
            let Some(c) = cache.as_mut() else { return false };
            if c.keys_fetched.is_some_and(|at| at.elapsed() < KEYS_MIN_INTERVAL) {
                return false;
            }
            c.keys_fetched = Some(Instant::now());
            c.metadata.jwks_uri().clone()
        };
        match CoreJsonWebKeySet::fetch_async(&uri, &self.http).await {
            Ok(keys) => {
                tracing::info!("fetched the identity provider's signing keys again");
                if let Some(c) = self.cache.lock().await.as_mut() {
                    c.metadata = c.metadata.clone().set_jwks(keys);
                }
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "fetching the identity provider's keys failed");
                false
            }
        }
    }

    fn client(&self, metadata: ProviderMetadataWithLogout) -> OidcClient {
        OidcClient::from_provider_metadata(
            metadata,
            self.settings.client_id.clone(),
            Some(ClientSecret::new(self.settings.secret.0.clone())),
        )
        .set_redirect_uri(self.settings.redirect_url.clone())
    }

    /// Where to send the browser: the provider's authorization endpoint with a fresh state,
    /// nonce and PKCE challenge (S256).
    pub async fn start(&self) -> Result<Start, Failure> {
        let client = self.client(self.metadata().await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge);
        for scope in self.settings.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(Start {
            url,
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code (with the PKCE verifier) and verifies the ID token against the nonce
    /// of the attempt.
    pub async fn finish(&self, code: &str, pkce_verifier: &str, nonce: &str) -> Result<Identity, Failure> {
        let metadata = self.metadata().await?;
        let client = self.client(metadata.clone());
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|_| Failure::ProviderDown)?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => {
                    tracing::warn!(error = ?r.error(), "the identity provider refused the code");
                    Failure::CodeRefused
                }
                RequestTokenError::Parse(e, _) => {
                    tracing::warn!(error = %e, "the identity provider's token response could not be read");
                    Failure::Malformed
                }
                other => {
                    tracing::warn!(error = %other, "the code exchange failed");
                    Failure::ProviderDown
                }
            })?;
        let id_token = openidconnect::TokenResponse::id_token(&response).ok_or(Failure::Malformed)?.clone();
        let nonce = Nonce::new(nonce.to_string());
        let verify = |metadata: ProviderMetadataWithLogout| {
            let verifier: IdTokenVerifier<'static, CoreJsonWebKey> = IdTokenVerifier::new_public_client(
                self.settings.client_id.clone(),
                self.settings.issuer.clone(),
                metadata.jwks().clone(),
            )
            .set_allowed_algs(ALLOWED_ALGS);
            id_token.claims(&verifier, &nonce).cloned()
        };
        let mut result = verify(metadata);
        if matches!(
            result,
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey))
        ) && self.refresh_keys().await
        {
            result = verify(self.metadata().await?);
        }
        let claims = result.map_err(|e| {
            tracing::warn!(error = %e, "an ID token was refused");
            match e {
                ClaimsVerificationError::InvalidAudience(_) => Failure::WrongAudience,
                ClaimsVerificationError::InvalidIssuer(_) => Failure::WrongIssuer,
                ClaimsVerificationError::Expired(_) => Failure::Expired,
                ClaimsVerificationError::InvalidNonce(_) => Failure::WrongNonce,
                ClaimsVerificationError::SignatureVerification(_) => Failure::BadSignature,
                _ => Failure::Malformed,
            }
        })?;
        // The crate checks `aud`; an `azp` (the party the token was issued to) must be Pinne too.
        if claims.authorized_party().is_some_and(|azp| azp.as_str() != self.settings.client_id.as_str()) {
            tracing::warn!("an ID token issued to another party (azp) was refused");
            return Err(Failure::WrongAudience);
        }
        let extra = &claims.additional_claims().claims;
        tracing::debug!(amr = ?claims.auth_method_refs(), acr = ?claims.auth_context_ref(), "verified an ID token");
        let subject = claims.subject().as_str().to_string();
        let username = match extra.get(&self.settings.username_claim) {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            _ => match self.settings.username_claim.as_str() {
                "preferred_username" => claims.preferred_username().map(|u| u.as_str().to_string()),
                "email" => claims.email().map(|e| e.as_str().to_string()),
                _ => None,
            }
            .unwrap_or_else(|| subject.clone()),
        };
        let groups = match extra.get(&self.settings.groups_claim) {
            Some(serde_json::Value::Array(items)) => {
                items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
            }
            Some(serde_json::Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        };
        let username_trusted = self.settings.username_claim != "email" || claims.email_verified() == Some(true);
        Ok(Identity {
            issuer: claims.issuer().as_str().to_string(),
            subject,
            username,
            username_trusted,
            groups,
            amr: claims
                .auth_method_refs()
                .map(|v| v.iter().map(|a| a.as_str().to_string()).collect())
                .unwrap_or_default(),
            acr: claims.auth_context_ref().map(|a| a.as_str().to_string()),
            id_token: id_token.to_string(),
        })
    }

    /// Where to send the browser to sign out at the provider too, if it supports that.
    pub async fn logout_url(&self, id_token: &str) -> Option<openidconnect::url::Url> {
        if !self.settings.provider_logout {
            return None;
        }
        // Only what is cached: signing out must not wait for a provider that is down.
        let metadata = self.cache.lock().await.as_ref()?.metadata.clone();
        let endpoint = metadata.additional_metadata().end_session_endpoint.clone()?;
        let hint: openidconnect::core::CoreIdToken = id_token.parse().ok()?;
        Some(
            LogoutRequest::from(endpoint)
                .set_id_token_hint(&hint)
                .set_client_id(self.settings.client_id.clone())
                .set_post_logout_redirect_uri(self.settings.post_logout_redirect_url.clone())
                .http_get_url(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
issuer = "https://login.example.se/tenant/v2.0"
client_id = "pinne"
redirect_url = "https://pinne.example.se/login/oidc/svar"
accounts = "groups"
"#;

    fn parse(extra: &str) -> anyhow::Result<Settings> {
        Settings::parse(&format!("{BASE}{extra}"), Some("hemlig".into()), Path::new("."))
    }

    #[test]
    fn groups_give_the_strongest_role_with_its_insatser() {
        let s = parse(
            r#"
[[group]]
id = "coacher-a"
role = "coach"
insatser = ["a"]
[[group]]
id = "coacher-b"
role = "coach"
insatser = ["b", "a"]
[[group]]
id = "styrelsen"
role = "lasare"
[[group]]
id = "chefer"
role = "forbundschef"
"#,
        )
        .unwrap();
        let g = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(s.role_from_groups(&g(&["coacher-a", "styrelsen"])), Some((Role::Coach, vec!["a".into()])));
        assert_eq!(
            s.role_from_groups(&g(&["coacher-a", "coacher-b"])),
            Some((Role::Coach, vec!["a".into(), "b".into()]))
        );
        assert_eq!(s.role_from_groups(&g(&["styrelsen", "chefer"])), Some((Role::Forbundschef, vec![])));
        assert_eq!(s.role_from_groups(&g(&["alla-anstallda"])), None);
        assert_eq!(s.role_from_groups(&[]), None);
        // Defaults: the secret is never printed; post-logout goes to the login page.
        assert_eq!(format!("{:?}", s.secret), "Secret(…)");
        assert_eq!(s.post_logout_redirect_url.as_str(), "https://pinne.example.se/login");
        assert!(s.local_login && s.provider_logout);
    }

    #[test]
    fn multi_factor_from_amr_or_acr() {
        let s = parse("mfa_acr = [\"urn:kommunen:mfa\"]\n[[group]]\nid = \"x\"\nrole = \"lasare\"\n").unwrap();
        assert!(s.mfa(&["pwd".into(), "mfa".into()], None));
        assert!(s.mfa(&["pwd".into()], Some("urn:kommunen:mfa")));
        assert!(!s.mfa(&["pwd".into()], Some("urn:kommunen:pwd")));
        assert!(!s.mfa(&[], None));
    }

    #[test]
    fn bad_settings_are_refused() {
        let group = "[[group]]\nid = \"x\"\nrole = \"lasare\"\n";
        assert!(parse("").is_err(), "groups mode without groups");
        assert!(parse(&format!("{group}unknown = 1\n")).is_err(), "unknown key");
        assert!(parse("[[group]]\nid = \"x\"\nrole = \"coach\"\n").is_err(), "coach without insatser");
        assert!(parse("[[group]]\nid = \"x\"\nrole = \"forbundschef\"\ninsatser = [\"a\"]\n").is_err());
        assert!(parse(&format!("scopes = [\"profile\"]\n{group}")).is_err(), "no openid scope");
        let http = BASE.replace("https://login.example.se", "http://login.example.se");
        assert!(Settings::parse(&format!("{http}{group}"), Some("s".into()), Path::new(".")).is_err());
        assert!(Settings::parse(&format!("{BASE}{group}"), None, Path::new(".")).is_err(), "no secret");
        let linked = BASE.replace("\"groups\"", "\"linked\"");
        assert!(Settings::parse(&linked, Some("s".into()), Path::new(".")).is_ok(), "linked needs no groups");
    }
}
