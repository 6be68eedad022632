//! A small argument parser: `--name value`, `--name=value`, flags, `--`,
//! and `-` as a positional (standard input). Nothing a user typed is echoed
//! unless it is clearly an option name, because it could be a token.

use super::Failure;

/// One option a command accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Opt {
    /// With the dashes: `--issuer`.
    pub(crate) name: &'static str,
    /// `--name VALUE` (else a flag).
    pub(crate) value: bool,
    /// May be given more than once.
    pub(crate) repeat: bool,
}

impl Opt {
    pub(crate) const fn value(name: &'static str) -> Self {
        Self {
            name,
            value: true,
            repeat: false,
        }
    }

    pub(crate) const fn repeated(name: &'static str) -> Self {
        Self {
            name,
            value: true,
            repeat: true,
        }
    }
}

/// A parsed command line.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub(crate) help: bool,
    pub(crate) positionals: Vec<String>,
    options: Vec<(&'static str, String)>,
}

impl Parsed {
    /// The value of a single-valued option.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeatable option, in order.
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.options
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The one positional argument, or a usage error naming what it is.
    pub(crate) fn single(&self, command: &str, what: &str) -> Result<&str, Failure> {
        match self.positionals.as_slice() {
            [one] => Ok(one),
            [] => Err(Failure::usage(format!(
                "`usso {command}` needs {what} (see `usso {command} --help`)"
            ))),
            _ => Err(Failure::usage(format!(
                "`usso {command}` takes one {what}, got {} arguments (they are not shown: they may be tokens)",
                self.positionals.len()
            ))),
        }
    }
}

/// `text` if it is safe and useful to echo (a short word or option name),
/// else a placeholder: a mistyped argument may well be a token.
pub(crate) fn shown(text: &str) -> String {
    let plain = !text.is_empty()
        && text.len() <= 40
        && !text.starts_with("eyJ")
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plain {
        text.to_owned()
    } else {
        "<not shown>".to_owned()
    }
}

/// Parses `args` (after the command name) against `opts`.
pub(crate) fn parse(command: &str, args: &[String], opts: &[Opt]) -> Result<Parsed, Failure> {
    let mut parsed = Parsed::default();
    let mut iter = args.iter();
    let mut only_positionals = false;
    while let Some(arg) = iter.next() {
        if only_positionals || arg == "-" || !arg.starts_with('-') {
            parsed.positionals.push(arg.clone());
            continue;
        }
        if arg == "--" {
            only_positionals = true;
            continue;
        }
        if arg == "-h" || arg == "--help" {
            parsed.help = true;
            return Ok(parsed);
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (arg.as_str(), None),
        };
        let Some(opt) = opts.iter().find(|o| o.name == name) else {
            return Err(Failure::usage(format!(
                "`usso {command}` has no option `{}` (see `usso {command} --help`)",
                shown(name)
            )));
        };
        let value = match (opt.value, inline) {
            (true, Some(value)) => value.to_owned(),
            (true, None) => iter
                .next()
                .cloned()
                .ok_or_else(|| Failure::usage(format!("`{}` needs a value", opt.name)))?,
            (false, Some(_)) => {
                return Err(Failure::usage(format!("`{}` takes no value", opt.name)));
            }
            (false, None) => String::new(),
        };
        if !opt.repeat && parsed.options.iter().any(|(n, _)| *n == opt.name) {
            return Err(Failure::usage(format!(
                "`{}` can only be given once",
                opt.name
            )));
        }
        parsed.options.push((opt.name, value));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: &[Opt] = &[Opt::value("--jwks-url"), Opt::repeated("--issuer")];

    fn p(args: &[&str]) -> Result<Parsed, Failure> {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        parse("verify", &args, OPTS)
    }

    #[test]
    fn values_flags_and_positionals() {
        let parsed = p(&["-", "--jwks-url", "http://x", "--issuer=a", "--issuer", "b"]).unwrap();
        assert_eq!(parsed.positionals, ["-"]);
        assert_eq!(parsed.get("--jwks-url"), Some("http://x"));
        assert_eq!(parsed.all("--issuer"), ["a", "b"]);
        assert!(!parsed.help);
        assert!(p(&["tok", "--help", "--bogus"]).unwrap().help);
        assert_eq!(
            p(&["--", "--jwks-url"]).unwrap().positionals,
            ["--jwks-url"]
        );
    }

    #[test]
    fn usage_errors() {
        for bad in [
            &["--jwks-url"][..],
            &["--jwks-url", "a", "--jwks-url", "b"],
            &["--nope"],
        ] {
            assert!(matches!(p(bad), Err(Failure::Usage(_))), "{bad:?}");
        }
        let Err(Failure::Usage(msg)) = p(&["--eyJhbGciOi.eyJzdWIi.sig"]) else {
            panic!()
        };
        assert!(msg.contains("<not shown>"), "{msg}");
        let Err(Failure::Usage(msg)) = p(&["--audiense=x"]) else {
            panic!()
        };
        assert!(msg.contains("`--audiense`"), "{msg}");
    }

    #[test]
    fn single_positional() {
        let parsed = p(&["a", "b"]).unwrap();
        let Err(Failure::Usage(msg)) = parsed.single("verify", "token") else {
            panic!()
        };
        assert!(
            msg.contains("got 2 arguments") && !msg.contains("`b`"),
            "{msg}"
        );
        assert_eq!(p(&["a"]).unwrap().single("verify", "token"), Ok("a"));
    }
}
