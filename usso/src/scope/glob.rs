//! Python's `fnmatch.fnmatchcase`, as the scope engine matches path
//! segments and filter values with it.

use super::FilterMap;

enum Token {
    Star,
    Any,
    Char(char),
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Token {
    fn accepts(&self, c: char) -> bool {
        match self {
            Self::Star | Self::Any => true,
            Self::Char(x) => *x == c,
            Self::Class { negated, ranges } => {
                ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
            }
        }
    }
}

/// Tokenizes like Python's `fnmatch.translate`: `[` opens a class only if a `]` closes it
/// (a `]` right after `[` or `[!` is a member), else it is literal; no escapes.
fn tokenize(pattern: &str) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    // Scanning for `]` only when one lies ahead keeps many unclosed `[` linear: a found
    // `]` is consumed, so no character is scanned twice.
    let last_close = chars.iter().rposition(|&c| c == ']');
    let mut tokens = Vec::with_capacity(chars.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        tokens.push(match c {
            '*' => Token::Star,
            '?' => Token::Any,
            '[' => {
                let mut j = i;
                j += usize::from(chars.get(j) == Some(&'!'));
                j += usize::from(chars.get(j) == Some(&']'));
                let end = last_close
                    .filter(|&last| last >= j)
                    .and_then(|_| chars.get(j..)?.iter().position(|&c| c == ']'))
                    .map(|pos| j + pos);
                match end {
                    Some(end) => {
                        let class = class_token(chars.get(i..end).unwrap_or_default());
                        i = end + 1;
                        class
                    }
                    None => Token::Char('['),
                }
            }
            other => Token::Char(other),
        });
    }
    tokens
}

/// A class body, read as Python does: `translate` splits it on range hyphens (from the
/// second member on), merges reversed ranges away (which can expose a leading `!`: `[a-[!a]`
/// is `[^a]`), then `re` reads the result. A range `re` would reject matches nothing.
fn class_token(body: &[char]) -> Token {
    let never = Token::Class {
        negated: false,
        ranges: Vec::new(),
    };
    // `None` is a range hyphen; `Some('-')` a literal one.
    let mut items: Vec<Option<char>> = Vec::new();
    if body.contains(&'-') {
        let mut chunks: Vec<Vec<char>> = Vec::new();
        let mut start = 0;
        let mut k = if body.first() == Some(&'!') { 2 } else { 1 };
        while let Some(pos) = body.get(k..).and_then(|s| s.iter().position(|&c| c == '-')) {
            chunks.push(body.get(start..k + pos).unwrap_or_default().to_vec());
            start = k + pos + 1;
            k += pos + 3;
        }
        match body.get(start..).filter(|tail| !tail.is_empty()) {
            Some(tail) => chunks.push(tail.to_vec()),
            None => chunks
                .iter_mut()
                .last()
                .into_iter()
                .for_each(|c| c.push('-')),
        }
        for k in (1..chunks.len()).rev() {
            let end = chunks.get(k - 1).and_then(|c| c.last()).copied();
            let first = chunks.get(k).and_then(|c| c.first()).copied();
            if let (Some(end), Some(first)) = (end, first)
                && end > first
            {
                let next = chunks.remove(k);
                if let Some(prev) = chunks.get_mut(k - 1) {
                    prev.pop();
                    prev.extend(next.into_iter().skip(1));
                }
            }
        }
        for (n, chunk) in chunks.into_iter().enumerate() {
            items.extend((n > 0).then_some(None));
            items.extend(chunk.into_iter().map(Some));
        }
    } else {
        items.extend(body.iter().copied().map(Some));
    }
    let (negated, mut rest) = match items.as_slice() {
        [] => return never,
        [Some('!')] => return Token::Any,
        [Some('!'), rest @ ..] => (true, rest),
        all => (false, all),
    };
    let mut ranges = Vec::new();
    while let Some((lo, tail)) = rest.split_first() {
        let lo = lo.unwrap_or('-');
        if let [None, hi, more @ ..] = tail {
            let hi = hi.unwrap_or('-');
            if lo > hi {
                return never;
            }
            ranges.push((lo, hi));
            rest = more;
        } else {
            ranges.push((lo, lo));
            rest = tail;
        }
    }
    Token::Class { negated, ranges }
}

/// Python's `fnmatch.fnmatchcase(text, pattern)`, in O(len(text) × len(pattern)) worst case:
/// the two-pointer algorithm only ever retries from the most recent `*`.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    if !pattern.contains(['*', '?', '[']) {
        return pattern == text;
    }
    let tokens = tokenize(pattern);
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut retry: Option<(usize, usize)> = None;
    while let Some(&c) = text.get(t) {
        match tokens.get(p) {
            Some(Token::Star) => {
                p += 1;
                retry = Some((p, t));
            }
            Some(token) if token.accepts(c) => {
                p += 1;
                t += 1;
            }
            _ => match retry {
                Some((rp, rt)) => {
                    p = rp;
                    t = rt + 1;
                    retry = Some((rp, t));
                }
                None => return false,
            },
        }
    }
    tokens
        .iter()
        .skip(p)
        .all(|token| matches!(token, Token::Star))
}

/// Every filter of the scope is in the request, its value matching the
/// scope's glob.
pub(super) fn filters_match(scope: &FilterMap, request: &FilterMap) -> bool {
    scope
        .iter()
        .all(|(k, pattern)| request.get(k).is_some_and(|v| glob(pattern, v)))
}
