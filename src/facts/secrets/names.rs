//! Whether a name says "this holds a credential", read on identifier
//! segments: `HMAC_KEY`, `signingKey`, `DB_PASS`, `client-secret` do;
//! `tokenIcon`, `passwordPolicyRegex`, `secretName`, `tokenUrl` do not. The
//! credential word must be the name's head (its last segment), as English
//! compounds put it: a `passwordPolicyRegex` is a regex, a `tokenIcon` an icon.

/// Lowercase segments of an identifier: split on `_`, `-`, `.`, and on
/// camelCase boundaries (`apiKEYValue` → api, key, value).
pub fn segments(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut cur = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let boundary = i > 0
                && c.is_ascii_uppercase()
                && (chars[i - 1].is_ascii_lowercase()
                    || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())
                        && chars[i - 1].is_ascii_uppercase());
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c.to_ascii_lowercase());
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

/// Whether the name's head says credential.
pub fn credential_head(name: &str) -> bool {
    let s = segments(name);
    let Some(last) = s.last() else { return false };
    // The words: rules/secret-formats.toml, `[names]`.
    let names = &super::formats::TABLE.names;
    if names.heads.contains(last) {
        return true;
    }
    last == "key" && s.len() >= 2 && names.key_qualifiers.contains(&s[s.len() - 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_split_every_convention() {
        assert_eq!(segments("HMAC_KEY"), ["hmac", "key"]);
        assert_eq!(segments("signingKey"), ["signing", "key"]);
        assert_eq!(
            segments("passwordPolicyRegex"),
            ["password", "policy", "regex"]
        );
        assert_eq!(segments("x-api-key"), ["x", "api", "key"]);
        assert_eq!(segments("JWTSecret"), ["jwt", "secret"]);
        assert_eq!(segments("db.password"), ["db", "password"]);
    }

    #[test]
    fn the_head_decides() {
        for yes in [
            "hmac_key",
            "signingKey",
            "HMAC_SECRET",
            "DB_PASS",
            "apiKey",
            "API_TOKEN",
            "client_secret",
            "jwtSecret",
            "STRIPE_SECRET_KEY",
            "x-api-key",
            "password",
            "accessToken",
            "encryptionKey",
            "HMAC",
        ] {
            assert!(credential_head(yes), "{yes}");
        }
        for no in [
            "tokenIcon",
            "entries",
            "passwordPolicyRegex",
            "secretName",
            "tokenUrl",
            "apiKeyId",
            "token_valid_until",
            "passwordLength",
            "primaryKey",
            "cacheKey",
            "publicKey",
            "tokenEndpoint",
        ] {
            assert!(!credential_head(no), "{no}");
        }
    }
}
