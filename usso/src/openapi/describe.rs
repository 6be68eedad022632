//! The policy paragraph the macros append to an OpenAPI operation's
//! description. Compiled with or without the `utoipa` feature: macro
//! expansions name it through `__private` either way.

use std::fmt::Write as _;

use crate::Requirement;

/// `existing`, a blank line, then the policy `requirement` in Markdown.
pub(crate) fn describe(existing: &str, requirement: &Requirement) -> String {
    let mut out = String::from(existing.trim_end());
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str("**Authorization** (usso): a bearer token");
    let conjuncts: Vec<&Requirement> = match requirement {
        Requirement::All(all) => all
            .iter()
            .filter(|r| !matches!(r, Requirement::Authenticated))
            .collect(),
        Requirement::Authenticated => Vec::new(),
        other => vec![other],
    };
    if conjuncts.is_empty() {
        out.push('.');
        return out;
    }
    out.push_str(" with:");
    for conjunct in conjuncts {
        out.push_str("\n- ");
        inline(&mut out, conjunct);
    }
    out
}

/// One requirement on one line.
fn inline(out: &mut String, requirement: &Requirement) {
    let list = |out: &mut String, name: &str, items: &[Requirement]| {
        out.push_str(name);
        out.push_str(" (");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            inline(out, item);
        }
        out.push(')');
    };
    match requirement {
        Requirement::Authenticated => out.push_str("any valid token"),
        Requirement::Scope(scope) => {
            let _ = write!(out, "scope `{scope}`");
        }
        Requirement::Role(role) => {
            let _ = write!(out, "role `{role}`");
        }
        Requirement::Workspace => out.push_str("a workspace (`workspace_id` claim)"),
        Requirement::All(items) => list(out, "all of", items),
        Requirement::Any(items) => list(out, "any of", items),
        Requirement::Not(item) => {
            out.push_str("not ");
            inline(out, item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_kind() {
        const R: Requirement = Requirement::All(&[
            Requirement::Authenticated,
            Requirement::Scope("write:posts"),
            Requirement::Role("editor"),
            Requirement::Workspace,
            Requirement::Any(&[Requirement::Scope("a"), Requirement::Role("admin")]),
            Requirement::Not(&Requirement::Role("banned")),
            Requirement::All(&[Requirement::Scope("b"), Requirement::Scope("c")]),
        ]);
        assert_eq!(
            describe("Creates a post.\n", &R),
            "Creates a post.\n\n**Authorization** (usso): a bearer token with:\n\
             - scope `write:posts`\n\
             - role `editor`\n\
             - a workspace (`workspace_id` claim)\n\
             - any of (scope `a`, role `admin`)\n\
             - not role `banned`\n\
             - all of (scope `b`, scope `c`)"
        );
    }

    #[test]
    fn a_token_alone() {
        let only_auth = Requirement::All(&[Requirement::Authenticated]);
        assert_eq!(
            describe("", &only_auth),
            "**Authorization** (usso): a bearer token."
        );
        assert_eq!(
            describe("", &Requirement::Role("r")),
            "**Authorization** (usso): a bearer token with:\n- role `r`"
        );
    }
}
