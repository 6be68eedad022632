//! `usso revoke`: write one revocation rule where a fleet's
//! [`Revocations::redis`](crate::Revocations::redis) sets read it.

use super::args;
use super::{Failure, Outcome, out, runtime, time};
use crate::revocation::rule::Kind;
use crate::revocation::{RevocationOptions, share_once};
use crate::{ConfigError, NumericDate};

pub(crate) fn run(args: &args::Revoke) -> Outcome {
    let (kind, id) = match (&args.jti, &args.session, &args.subject) {
        (Some(id), _, _) => (Kind::Jti, id),
        (_, Some(id), _) => (Kind::Session, id),
        (_, _, Some(id)) => (Kind::Subject, id),
        // clap's group makes one of them required.
        _ => return Err(Failure::usage("give one of --jti, --session or --subject")),
    };
    let now = NumericDate::now();
    let at = match kind {
        Kind::Subject => args.before.map_or(now, NumericDate::from_secs),
        Kind::Jti | Kind::Session => args.expires.map_or_else(
            || {
                let ms = i64::try_from(args.max_lifetime.as_millis()).unwrap_or(i64::MAX);
                NumericDate::from_millis(now.as_millis().saturating_add(ms))
            },
            NumericDate::from_secs,
        ),
    };
    let options = RevocationOptions::default().max_token_lifetime(args.max_lifetime);
    let shared = runtime()?.block_on(share_once(
        &args.redis,
        &args.namespace,
        options,
        kind,
        id,
        at,
    ));
    match shared {
        Ok(Some(end)) => {
            out(&format!(
                "revoked {} `{id}` on every replica sharing this Redis, until {}\n",
                kind.claim(),
                time::utc(end.as_secs())
            ));
            Ok(())
        }
        Ok(None) => {
            out(&format!(
                "nothing to revoke: every token `{}` = `{id}` could match has expired already\n",
                kind.claim()
            ));
            Ok(())
        }
        Err(e @ (ConfigError::InvalidUrl { .. } | ConfigError::InvalidSetting { .. })) => {
            Err(Failure::usage(e.to_string()))
        }
        Err(e) => Err(Failure::failed(e.to_string())),
    }
}
