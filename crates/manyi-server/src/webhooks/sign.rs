//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>): the receiver checks
//! `webhook-signature` against an HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` keyed
//! with the endpoint's secret, so it knows the message came from this server and was not
//! replayed from another time. Libraries for the receiving side exist for most languages.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The prefix of a secret's text form, as the specification writes secrets.
const PREFIX: &str = "whsec_";

/// A new endpoint's secret: 32 random bytes, in the specification's text form.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{PREFIX}{}", STANDARD.encode(bytes)))
}

/// The `webhook-signature` header's value for a message: `v1,` and the base64 HMAC-SHA256.
/// `secret` is a secret this server made ([`new_secret`]); one that does not decode signs with
/// its bytes as they are, so a damaged secret gives signatures receivers refuse rather than none.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let encoded = secret.strip_prefix(PREFIX).unwrap_or(secret);
    let key = STANDARD
        .decode(encoded)
        .unwrap_or_else(|_| secret.as_bytes().to_vec());
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes a key of any length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example in the specification's reference implementations (standard-webhooks'
    /// libraries test against it): this secret, id, timestamp and body sign to this value.
    #[test]
    fn signs_as_the_reference_implementations_do() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn new_secrets_differ_and_decode_to_32_bytes() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        assert_ne!(a, b);
        assert_eq!(
            STANDARD
                .decode(a.strip_prefix(PREFIX).unwrap())
                .unwrap()
                .len(),
            32
        );
    }
}
