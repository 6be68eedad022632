//! Text that came from a token, shown safely.
//!
//! A token's header and claims are attacker input. Wherever such text is
//! shown (an error's `Display`, hence the JSON `detail`, the rejection log
//! line and the CLI), control characters would let it forge log lines or
//! drive a terminal (`\n`, `\r`, ESC, BEL, NUL), and bidirectional overrides
//! would let it reorder what a reader sees. They are printed as Rust escapes
//! (`\n`, `\u{1b}`); everything else is shown as is.

use std::fmt;

/// Displays `self.0` with control and bidi-override characters escaped.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Untrusted<'a>(pub(crate) &'a str);

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        let mut rest = self.0;
        // Write the safe runs whole: the common case has no escape at all.
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| needs_escape(c)) {
            f.write_str(&rest[..at])?;
            for e in c.escape_default() {
                f.write_char(e)?;
            }
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        Untrusted(text).to_string()
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            escaped("a\r\nb\u{1b}[31mc\u{7}d\0e\u{7f}f\u{9b}g"),
            "a\\r\\nb\\u{1b}[31mc\\u{7}d\\u{0}e\\u{7f}f\\u{9b}g"
        );
    }

    #[test]
    fn bidi_overrides_are_escaped_and_other_text_is_kept() {
        assert_eq!(escaped("ab\u{202e}cd"), "ab\\u{202e}cd");
        assert_eq!(escaped("kid-ünï`\"'\\ 日本"), "kid-ünï`\"'\\ 日本");
    }
}
