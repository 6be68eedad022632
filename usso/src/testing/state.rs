//! The test issuer's state, shared by its handle, its token builders and
//! its HTTP server: keys, failure mode, counters, and the answer to each
//! request.

use serde_json::{Map, Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::signing_key::{SigningKey, SigningKeyError};

use crate::Algorithm;

#[derive(Debug, Clone, Copy)]
pub(super) enum Mode {
    Healthy,
    Fail(u16),
    Hang,
    Garbage,
    Oversized(usize),
}

#[derive(Debug)]
pub(super) struct Entry {
    pub(super) key: Arc<SigningKey>,
    pub(super) published: bool,
    pub(super) current: bool,
}

#[derive(Debug)]
pub(crate) struct State {
    pub(super) issuer: String,
    pub(super) audience: String,
    pub(super) base: String,
    pub(super) default_alg: Algorithm,
    pub(super) keys: Mutex<Vec<Entry>>,
    pub(super) mode: Mutex<Mode>,
    pub(super) cache_control: Mutex<Option<String>>,
    pub(super) fetches: AtomicUsize,
    pub(super) requests: Mutex<Vec<String>>,
    pub(super) extra_jwks: Mutex<Vec<Value>>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    pub(super) fn current(&self, alg: Algorithm) -> Option<Arc<SigningKey>> {
        lock(&self.keys)
            .iter()
            .rev()
            .find(|e| e.current && e.key.algorithm().family() == alg.family())
            .map(|e| Arc::clone(&e.key))
    }

    pub(crate) fn sign(
        &self,
        alg: Algorithm,
        claims: &Value,
        header: &Map<String, Value>,
    ) -> Result<String, SigningKeyError> {
        let key = self
            .current(alg)
            .ok_or_else(|| SigningKeyError::new(format!("no {alg} key")))?;
        let mut header = header.clone();
        header.entry("alg").or_insert_with(|| alg.as_str().into());
        key.sign_json(claims, Some(&header))
    }

    pub(super) fn jwks(&self) -> Value {
        let mut keys: Vec<Value> = lock(&self.keys)
            .iter()
            .filter(|e| e.published)
            .map(|e| e.key.jwk())
            .collect();
        keys.extend(lock(&self.extra_jwks).iter().cloned());
        json!({ "keys": keys })
    }

    pub(crate) fn respond(&self, target: &str) -> Reply {
        {
            let mut requests = lock(&self.requests);
            if requests.len() >= 1000 {
                requests.remove(0);
            }
            requests.push(target.to_owned());
        }
        let path = target.split('?').next().unwrap_or(target);
        match path {
            "/.well-known/jwks.json" => {
                self.fetches.fetch_add(1, Ordering::SeqCst);
                let cache_control = lock(&self.cache_control).clone();
                match *lock(&self.mode) {
                    Mode::Hang => Reply::Hang,
                    Mode::Fail(status) => Reply::Send {
                        status,
                        content_type: "text/plain",
                        cache_control: None,
                        body: b"JWKS endpoint failure (simulated)".to_vec(),
                    },
                    Mode::Garbage => Reply::Send {
                        status: 200,
                        content_type: "application/json",
                        cache_control,
                        body: b"<html>not a key set{".to_vec(),
                    },
                    Mode::Oversized(bytes) => {
                        let mut doc = self.jwks();
                        doc["padding"] = "x".repeat(bytes).into();
                        Reply::Send {
                            status: 200,
                            content_type: "application/json",
                            cache_control,
                            body: doc.to_string().into_bytes(),
                        }
                    }
                    Mode::Healthy => Reply::Send {
                        status: 200,
                        content_type: "application/json",
                        cache_control,
                        body: self.jwks().to_string().into_bytes(),
                    },
                }
            }
            "/.well-known/openid-configuration" => Reply::Send {
                status: 200,
                content_type: "application/json",
                cache_control: None,
                body: json!({
                    "issuer": self.issuer,
                    "jwks_uri": format!("{}/.well-known/jwks.json", self.base),
                })
                .to_string()
                .into_bytes(),
            },
            _ => Reply::Send {
                status: 404,
                content_type: "text/plain",
                cache_control: None,
                body: b"not found".to_vec(),
            },
        }
    }
}

pub(crate) enum Reply {
    Hang,
    Send {
        status: u16,
        content_type: &'static str,
        cache_control: Option<String>,
        body: Vec<u8>,
    },
}
