//! The scope engine against the Python SDK's vectors, and properties.

use super::action::*;
use super::compatible::*;
use super::glob::*;
use super::parse::*;
use super::*;
use proptest::prelude::*;

const C: ScopeEngine = ScopeEngine::compatible();
const S: ScopeEngine = ScopeEngine::strict();

// Tables: whitespace-separated fields, `~` is the empty string, `-` is None/absent.
// Expected results: `1`/`0`, or `!text` for an error whose space-free Debug contains text.
// Every Python column was checked against usso 0.33.5's `authorization.py`.

// user_path requested_path python strict
const PATHS: &str = "
    # behaviour.md section 12 (upstream tests/test_authorization.py)
    files                     files                       1 1
    file-manager/files        files                       1 0
    media/file-manager/files  files                       1 0
    media//files              files                       1 0
    media//files              file-manager/files          1 0
    files                     file-manager/files          1 0
    */files                   file-manager/files          1 1
    *//files                  file-manager/files          1 0
    //files                   file-manager/files          1 0
    //files                   media/file-manager/files    1 1
    media//files              media/file-manager/files    1 1
    media//files              media/files                 1 0
    media/files/*             media/files/transactions    1 1
    */*/transactions          media/files/transactions    1 1
    media/*/transactions      media/images/transactions   1 1
    files                     file                        0 0
    files                     files/transactions          0 0
    files                     media/files/transactions    0 0
    media/files               media/files/transactions    0 0
    # Strict: `*` is one segment, a final `**` one or more; no empty path or request segment
    media/*                   media/a/b                   0 0
    media/**                  media                       0 0
    media/**                  media/a/b                   0 1
    **/x                      a/x                         1 1
    **/x                      a/b/x                       1 0
    *                         a/b                         1 0
    ~                         a                           0 0
    a                         x//a                        1 0
";

// scopes(,-separated) resource action filters(- | d:k=v,.. dict | l:k=v,.. list) python strict
const ACCESS: &str = "
    # behaviour.md section 12
    read:media/file-manager/files?uid=file123 files read l:namespace=media,service=file-manager,uid=file123 1 0
    update:media/files/transactions?user_id=abc,read:media/files/* media/files/transactions read d:user_id=abc 1 1
    update:media/files/transactions?user_id=abc,read:media/files/* transactions update d:user_id=abc 1 0
    update:media/files/transactions?user_id=abc,read:media/files/* transactions update d:uid=def 0 0
    update:media/files/transactions?user_id=abc,read:media/files/* media/files/transactions delete d:user_id=abc 0 0
    read:media/files/file:uid:file123 file update l:namespace=finance,service=wallet,workspace_id=ws_7 0 0
    manage:media/files/file?* file update d:namespace=finance,service=wallet,workspace_id=ws_7 1 !MalformedFilter
    manage:finance/wallet/transaction?user=user_1 transaction update l:namespace=finance,service=wallet,workspace_id=ws_7 0 0
    manage:finance/wallet/transaction?user=user_1 transaction update d:namespace=finance,user=user_1 1 0
    delete:finance/wallet/transaction?workspace_id=ws_7 transaction delete l:namespace=finance,service=wallet,workspace_id=ws_7 1 0
    create:file?* file create - 1 !MalformedFilter
    read:file?* file create - 0 !MalformedFilter
    file file create - 0 0
    # the same grants written for Strict
    manage:media/files/file media/files/file update d:namespace=finance 1 1
    manage:finance/wallet/transaction?user=user_1 finance/wallet/transaction update d:user=user_1 1 1
    # pitfall: an empty path grants everything
    read: any/thing read - 1 !source:EmptyPath
    ~ any/thing read - 1 !source:Empty}
    ?user_id=u1 any/thing read d:user_id=u1 1 !source:EmptyPath
    read:** any/thing read - 1 1
    # pitfall: unknown actions (and unknown case) count as read
    write:posts posts read - 1 !UnknownAction(\"write\")
    read:posts posts write - 1 !UnknownAction(\"write\")
    write:posts posts create - 0 !UnknownAction(\"write\")
    ADMIN:posts posts delete - 0 !UnknownAction(\"ADMIN\")
    read:posts,x:y posts read - 1 !UnknownAction(\"x\")
    read:posts posts ~ - 1 !UnknownAction(\"\")
    # pitfall: a scope without action is read
    posts posts read - 1 0
    openid,* any read - 1 0
    # pitfall: suffix matching in both directions; a `*` request segment matches anything
    read:files anything/files read - 1 0
    read:media/files files read - 1 0
    read:media/files other/files read - 0 0
    admin:media media/files read - 0 0
    admin:media/* media/files read - 1 1
    admin:media/** media/files/x read - 0 1
    read:media/files */files read - 1 0
    read:me* media read - 1 1
    read:Media media read - 0 0
    # pitfall: a two-key filter never matches; an empty dict denies everything
    read:docs?user_id=u1&tenant_id=t1 docs read d:user_id=u1,tenant_id=t1 0 1
    read:docs?user_id=u1&tenant_id=t1 docs read l:user_id=u1,tenant_id=t1 0 0
    read:docs?user_id=u1&tenant_id=t1 docs read d:user_id=u1 0 0
    read:docs docs read d: 0 1
    # filter values are globs, and every scope filter must be present
    read:x?user_id=u* x read d:user_id=u9 1 1
    read:x?user_id=u* x read d:user_id=v9 0 0
    read:x?user_id=u* x read - 0 0
    read:x?user_id=u* x read l: 0 0
    # Strict rejects empty request segments
    read:** ~ read - 1 !InvalidResource
    read:a x//a read - 1 !InvalidResource
";

// subset super python strict
const SUBSETS: &str = "
    # behaviour.md section 12
    read:media/files?user_id=123 read:media/files                   1 1
    read:media/files?user_id=123 read:media/*                       1 1
    create:media/files           read:media/files                   0 0
    update:media/files           read:media/files                   0 0
    read:media/files?user_id=123 read:media/files?user_id=456       0 0
    read:media/files?user_id=123 read:media/files?workspace_id=123  0 0
    read:files                   read:*                             1 1
    read:files                   read://files                       1 0
    create:files                 files                              0 0
    create:files                 *                                  0 0
    create:files                 *:*                                1 1
    create:files                 *://files                          1 0
    # Strict coverage is sound: `[*]` matches only a literal `*`
    read:*                       read:[*]                           1 0
    read:fi*                     read:f*                            1 0
    read:files                   read:f*                            1 1
    read:media/a                 read:media/**                      1 1
    read:media/**                read:media/*                       1 0
    read:media/a/**              read:media/**                      0 1
    # Strict: a scope without action is an opaque name, equal only to itself
    openid                       read:openid                        1 0
    files                        files                              1 1
    read:x                       read:                              1 !source:EmptyPath
";

// filter user_id self_action action owner_id workspace_id workspace_action python strict
const OWNERS: &str = "
    user_id=u1      u1 owner read       - - -    1 1
    user_id=u1      u1 owner superadmin - - -    0 0
    user_id=u1      u1 owner read       o1 - -   0 0
    user_id=u1      u1 owner read       ~ - -    1 1
    user_id=u1      ~  owner read       - - -    0 0
    ~               u1 owner read       - - -    0 0
    workspace_id=u1 u1 owner read       - - -    1 1
    workspace_id=w1 u1 owner update     - w1 -   1 1
    workspace_id=w1 u1 owner update     - w1 read 0 0
    workspace_id=w1 u1 owner read       - w1 read 1 1
    workspace_id=w1 u1 owner read       - w1 ~   1 1
    user_id=u1      u1 boss  read       - - -    1 !UnknownAction(\"boss\")
    user_id=u1      u1 boss  update     - - -    0 !UnknownAction(\"boss\")
    user_id=u9      u1 owner read       - - boss 0 !UnknownAction(\"boss\")
";

fn rows(table: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    let lines = table.lines().map(str::trim);
    lines
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split_whitespace()
                .map(|f| if f == "~" { "" } else { f })
                .collect()
        })
}

fn pairs(s: &str) -> Vec<(&str, &str)> {
    s.split(',').filter_map(|p| p.split_once('=')).collect()
}

fn filters(s: &str) -> Filters {
    match s.split_once(':') {
        Some(("d", p)) => Filters::map(pairs(p)),
        Some(("l", p)) => Filters::any_of(pairs(p).into_iter().map(|kv| [kv])),
        _ => Filters::None,
    }
}

fn expect(got: Result<bool, ScopeError>, want: &str, row: &[&str]) {
    let got = match got {
        Ok(b) => u8::from(b).to_string(),
        Err(e) => format!("!{e:?}").replace(' ', ""),
    };
    let ok = match want.strip_prefix('!') {
        Some(needle) => got.starts_with('!') && got.contains(needle),
        None => got == want,
    };
    assert!(ok, "{row:?}: got {got}, want {want}");
}

// user_path requested_path python_strict_true (`!` = raises ValueError), from usso 0.33.5
const ALIGNED_PATHS: &str = "
    files                     files                       1
    file-manager/files        files                       !
    media/file-manager/files  files                       !
    media//files              files                       !
    media//files              file-manager/files          !
    files                     file-manager/files          !
    */files                   file-manager/files          1
    *//files                  file-manager/files          !
    //files                   file-manager/files          !
    //files                   media/file-manager/files    1
    media//files              media/file-manager/files    1
    media//files              media/files                 !
    media/files/*             media/files/transactions    1
    */*/transactions          media/files/transactions    1
    media/*/transactions      media/images/transactions   1
    files                     file                        0
    files                     files/transactions          0
    files                     media/files/transactions    0
    media/files               media/files/transactions    0
    a/b/c                     x/b/c                       0
";

#[test]
fn aligned_paths_follow_python_strict_true() {
    let aligned = C.with_aligned_paths(true);
    for r in rows(ALIGNED_PATHS) {
        let want = r[2].replace('!', "!MisalignedPath");
        expect(aligned.try_is_path_match(r[0], r[1]), &want, &r);
        let as_bool = aligned.is_path_match(r[0], r[1]);
        assert_eq!(as_bool, r[2] == "1", "{r:?}");
        // Strict mode already aligns paths: the flag changes nothing there.
        let strict = S.with_aligned_paths(true);
        assert_eq!(
            strict.is_path_match(r[0], r[1]),
            S.is_path_match(r[0], r[1]),
            "{r:?}"
        );
    }
    // check_access: Python's order decides, the first grant or raise wins.
    let read =
        |scopes: &[&str], path: &str| aligned.check_access(scopes, path, "read", &Filters::None);
    assert!(matches!(
        read(&["read:files", "read:media/files"], "media/files"),
        Err(ScopeError::MisalignedPath { .. })
    ));
    assert_eq!(
        read(&["read:media/files", "read:files"], "media/files"),
        Ok(true)
    );
    assert!(matches!(
        read(&["read:media/files"], "files"),
        Err(ScopeError::MisalignedPath { .. })
    ));
    assert_eq!(
        C.check_access(&["read:media/files"], "files", "read", &Filters::None),
        Ok(true)
    );
    let one = aligned.is_authorized("read:media/files", "files", Some("read"), None);
    assert!(matches!(one, Err(ScopeError::MisalignedPath { .. })));
}

#[test]
fn parse_scope_and_is_filter_match_twins() {
    // Python's docstring examples of `parse_scope`.
    let s = parse_scope("read:media/files/transaction?user_id=123");
    assert_eq!(s.action(), Some("read"));
    assert_eq!(s.path(), ["media", "files", "transaction"]);
    assert_eq!(s.filters(), &collect_map([("user_id", "123")]));
    let s = parse_scope("media/files/transaction?user_id=123");
    assert_eq!((s.action(), s.path().len()), (None, 3));
    assert_eq!(parse_scope("*:*").action(), Some("*"));
    assert_eq!(parse_scope("*:*").path(), ["*"]);
    assert_eq!(parse_scope("media//files").path(), ["media", "*", "files"]);
    let f = |k: &str, v: &str| collect_map([(k, v)]);
    for e in [C, S] {
        assert!(e.is_filter_match(&FilterMap::new(), &FilterMap::new()));
        assert!(e.is_filter_match(&f("user_id", "u*"), &f("user_id", "u1")));
        assert!(!e.is_filter_match(&f("user_id", "u*"), &f("uid", "u1")));
        assert!(!e.is_filter_match(&f("user_id", "u?"), &f("user_id", "u12")));
    }
}

#[test]
fn path_table() {
    for r in rows(PATHS) {
        expect(Ok(C.is_path_match(r[0], r[1])), r[2], &r);
        expect(Ok(S.is_path_match(r[0], r[1])), r[3], &r);
    }
}

#[test]
fn access_table() {
    for r in rows(ACCESS) {
        let scopes: Vec<&str> = r[0].split(',').collect();
        for (engine, want) in [(C, r[4]), (S, r[5])] {
            expect(
                engine.check_access(&scopes, r[1], r[2], &filters(r[3])),
                want,
                &r,
            );
        }
    }
}

#[test]
fn subset_table() {
    for r in rows(SUBSETS) {
        expect(C.is_subset_scope(r[0], r[1]), r[2], &r);
        expect(S.is_subset_scope(r[0], r[1]), r[3], &r);
    }
    let user = ["read:files", "create:files"];
    assert_eq!(C.has_subset_scope("files", &user), Ok(true));
    assert_eq!(S.has_subset_scope("files", &user), Ok(false));
    let bad = S.has_subset_scope("read:files", &["read:files", "oops:x"]);
    assert_eq!(bad, Err(ScopeError::UnknownAction("oops".to_owned())));
}

#[test]
fn owner_table() {
    let opt = |f: &'static str| (f != "-").then_some(f);
    for r in rows(OWNERS) {
        let filter = collect_map(pairs(r[0]));
        let check = OwnerCheck {
            requested_filter: Some(&filter),
            user_id: opt(r[1]),
            self_action: r[2],
            action: r[3],
            owner_id: opt(r[4]),
            workspace_id: opt(r[5]),
            workspace_action: opt(r[6]),
        };
        expect(C.owner_authorization(&check), r[7], &r);
        expect(S.owner_authorization(&check), r[8], &r);
    }
    assert_eq!(C.owner_authorization(&OwnerCheck::default()), Ok(false));
}

#[test]
fn is_authorized_without_requested_action() {
    // Python skips the level check; Strict requires read.
    assert_eq!(C.is_authorized("none:x", "x", None, None), Ok(true));
    assert_eq!(
        C.is_authorized("none:x", "x", Some("read"), None),
        Ok(false)
    );
    assert_eq!(S.is_authorized("read:x", "x", None, None), Ok(true));
    let none = S.is_authorized("none:x", "x", None, None);
    assert_eq!(none, Err(ScopeError::UnknownAction("none".to_owned())));
}

#[test]
fn get_scope_filters_by_mode() {
    let scopes = [
        "read:media/*?a=1",
        "update:media/files?b=2",
        "media/files?c=3",
    ];
    let f = |k: &str, v: &str| collect_map([(k, v)]);
    let read = vec![f("a", "1"), f("b", "2")];
    // Python looks both levels up with default 0: a scope without action never qualifies,
    // an unknown requested action lets every scope qualify.
    assert_eq!(
        C.get_scope_filters("read", "media/files", &scopes),
        Ok(read.clone())
    );
    let unknown = C.get_scope_filters("write", "media/files", &scopes);
    assert_eq!(unknown, Ok(vec![f("a", "1"), f("b", "2"), f("c", "3")]));
    assert_eq!(
        S.get_scope_filters(Action::Read, "media/files", &scopes),
        Ok(read)
    );
    assert_eq!(
        S.get_scope_filters("update", "media/files", &scopes),
        Ok(vec![f("b", "2")])
    );
    let strict = S.get_scope_filters("write", "media/files", &scopes);
    assert_eq!(strict, Err(ScopeError::UnknownAction("write".to_owned())));
}

#[test]
fn broadest_scope_filter_scores() {
    let m = |p: &[(&str, &str)]| collect_map(p.iter().copied());
    let uid = m(&[("uid", "abc")]);
    let tenant_user = m(&[("tenant_id", "t1"), ("user_id", "u1")]);
    let ws = m(&[("workspace_id", "w1")]);
    let broadest = |f: &[FilterMap]| ScopeEngine::broadest_scope_filter(f).unwrap_or_default();
    assert_eq!(
        broadest(&[uid.clone(), tenant_user.clone(), ws.clone()]),
        ws
    );
    assert_eq!(broadest(&[uid.clone(), tenant_user.clone()]), tenant_user);
    assert_eq!(broadest(&[m(&[("region", "eu")]), uid.clone()]), uid);
    assert_eq!(
        broadest(&[m(&[("user_id", "a")]), m(&[("user_id", "b")])]),
        m(&[("user_id", "a")])
    );
    assert_eq!(broadest(&[ws, FilterMap::new()]), FilterMap::new());
    assert_eq!(ScopeEngine::broadest_scope_filter(&[]), None);
}

#[test]
fn common_scopes() {
    let (a, b) = (["read:a", "admin:b/*"], ["read:a", "read:b/c"]);
    let same = ["read:x", "read:x"];
    for e in [C, S] {
        let narrowed = vec!["read:a".to_owned(), "read:b/c".to_owned()];
        assert_eq!(e.get_common_scopes(&a, &b), Ok(narrowed));
        // Nothing dropped: returned as given, duplicates included (as Python does).
        assert_eq!(
            e.get_common_scopes(&same, &["read:*"]),
            Ok(same.map(String::from).to_vec())
        );
    }
}

#[test]
fn parse_grammar() {
    let s = Scope::parse("read:media/files/transaction?user_id=123");
    assert_eq!(s.as_ref().map(Scope::action), Ok(Some("read")));
    let path = ["media", "files", "transaction"].map(String::from);
    assert_eq!(s.as_ref().map(Scope::path), Ok(&path[..]));
    let filters = collect_map([("user_id", "123")]);
    assert_eq!(s.as_ref().map(Scope::filters), Ok(&filters));
    let cases = [
        ("media/files?user_id=123", None, "media/files?user_id=123"),
        ("*:*", Some("*"), "*:*"),
        ("media//files", None, "media/*/files"),
        ("read:/", Some("read"), "read:*/*"),
        (
            "read:media/file:uid:1",
            Some("read"),
            "read:media/file:uid:1",
        ),
        ("a?b:c=d=e&a=1", None, "a?a=1&b:c=d=e"),
    ];
    for (input, action, shown) in cases {
        let scope: Result<Scope, _> = input.parse();
        assert_eq!(scope.as_ref().map(Scope::action), Ok(action), "{input}");
        assert_eq!(
            scope.map(|s| s.to_string()),
            Ok(shown.to_owned()),
            "{input}"
        );
    }
}

#[test]
fn parse_rejects_malformed() {
    use ScopeParseError as E;
    let malformed = |pair: &str| E::MalformedFilter {
        pair: pair.to_owned(),
    };
    let cases = [
        ("", E::Empty),
        (" ", E::InvalidChar { ch: ' ', index: 0 }),
        ("read:a b", E::InvalidChar { ch: ' ', index: 6 }),
        ("read:\tx", E::InvalidChar { ch: '\t', index: 5 }),
        (
            "read:x\u{7f}",
            E::InvalidChar {
                ch: '\u{7f}',
                index: 6,
            },
        ),
        (
            "read:x\u{a0}",
            E::InvalidChar {
                ch: '\u{a0}',
                index: 6,
            },
        ),
        (":x", E::EmptyAction),
        ("read:", E::EmptyPath),
        ("?a=1", E::EmptyPath),
        ("read:?a=1", E::EmptyPath),
        ("read:x?", malformed("")),
        ("read:x?a", malformed("a")),
        ("read:x?*", malformed("*")),
        ("read:x?=1", malformed("=1")),
        ("read:x?a=", malformed("a=")),
        ("read:x?a=1&", malformed("")),
        (
            "read:x?a=1&a=2",
            E::DuplicateFilter {
                key: "a".to_owned(),
            },
        ),
    ];
    for (input, err) in cases {
        assert_eq!(Scope::parse(input), Err(err), "{input:?}");
    }
    assert_eq!(
        Scope::parse(&"a".repeat(1025)),
        Err(E::TooLong { len: 1025 })
    );
    assert!(Scope::parse(&"a".repeat(1024)).is_ok());
    // Each empty segment is displayed as `*`, so it counts towards the limit.
    let slashes = format!("read:{}", "/".repeat(600));
    assert_eq!(Scope::parse(&slashes), Err(E::TooLong { len: 1206 }));
}

#[test]
fn compatible_parse_follows_parse_qs() {
    let s = parse_compatible("r:x?user_id=a%20b+c&k=&k2&user_id=2&%41=%E2%82%AC%zz&=v");
    let want = collect_map([("user_id", "a b c"), ("A", "€%zz"), ("", "v")]);
    assert_eq!((s.action(), s.filters()), (Some("r"), &want));
    let bare = parse_compatible(":?*");
    assert_eq!(
        (bare.action(), bare.path(), bare.filters().len()),
        (None, &["*".to_owned()][..], 0)
    );
    // Python's `unquote`: invalid UTF-8 replaced, a stray `%` kept.
    let odd = parse_compatible("r:x?k=%C3%A9%C3é%");
    assert_eq!(odd.filters()["k"], "é\u{fffd}é%");
}

#[test]
fn action_names_and_levels() {
    let names = [
        "read",
        "create",
        "update",
        "delete",
        "manage",
        "admin",
        "owner",
        "superadmin",
    ];
    let levels: Vec<u8> = names
        .iter()
        .filter_map(|a| a.parse().ok().map(Action::level))
        .collect();
    assert_eq!(levels, [10, 20, 30, 40, 50, 60, 90, 100]);
    assert_eq!("*".parse(), Ok(Action::Owner));
    assert_eq!(Action::Owner.to_string(), "owner");
    let upper = "Read".parse::<Action>();
    assert_eq!(upper, Err(ScopeError::UnknownAction("Read".to_owned())));
    assert!(Action::Delete < Action::Manage);
    assert_eq!(ScopeEngine::default().mode(), Mode::Strict);
}

#[test]
fn glob_matches_like_fnmatchcase() {
    let cases = [
        ("*", "", true),
        ("a?c", "abc", true),
        ("a?c", "ac", false),
        ("[abc]x", "bx", true),
        ("[!x]", "x", false),
        ("[!x]", "y", true),
        ("[a-c]", "b", true),
        ("[c-a]", "b", false),
        ("[!c-a]", "b", true),
        ("[a-]", "-", true),
        ("[", "[", true),
        ("a[b", "a[b", true),
        ("[]]", "]", true),
        ("[!]]", "a", true),
        ("[a-[!a]", "m", true),
        ("[a-[!a]", "a", false),
        ("A*", "a", false),
        ("*.txt", "dir/x.txt", true),
    ];
    for (pattern, text, want) in cases {
        assert_eq!(glob(pattern, text), want, "{pattern} ~ {text}");
    }
    // Exponential for naive backtracking; the two-pointer loop stays quadratic at most.
    let long = "a".repeat(5000);
    assert!(!glob(&format!("{}b", "*a".repeat(40)), &long));
    assert!(!glob(&"[".repeat(5000), &long));
}

fn scope_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "([a-z*]{0,5}:)?[a-z*/\\[\\]!-]{0,12}(\\?[a-z:]{0,3}=[a-z*?:=]{0,4}(&[a-z]{0,2}=[a-z*]{0,3}){0,2})?",
        "[a-z*:/?=&%+!\\[\\] -]{0,24}",
        any::<String>(),
    ]
}

proptest! {
    #[test]
    fn display_reparses_to_the_same_scope(s in scope_strategy()) {
        if let Ok(scope) = Scope::parse(&s) {
            prop_assert_eq!(Scope::parse(&scope.to_string()), Ok(scope));
        }
    }

    #[test]
    fn no_input_panics_and_compatible_never_errs(
        scope in scope_strategy(),
        res in "[a-z*/]{0,8}|\\PC{0,12}",
        action in "read|admin|\\PC{0,6}",
        (k, v) in ("[a-z]{0,3}|\\PC{0,4}", "[a-z*]{0,3}|\\PC{0,4}"),
    ) {
        let kv = [(k, v)];
        let filters = [Filters::None, Filters::map(kv.clone()), Filters::any_of([kv])];
        for f in &filters {
            prop_assert!(C.check_access(&[&scope], &res, &action, f).is_ok());
            let _ = S.check_access(&[&scope], &res, &action, f);
        }
        prop_assert!(C.is_subset_scope(&scope, &res).is_ok());
        prop_assert!(C.get_scope_filters(&action, &res, &[&scope]).is_ok());
        let _ = (S.is_subset_scope(&scope, &res), S.get_scope_filters(&action, &res, &[&scope]));
        let _ = (C.is_path_match(&scope, &res), S.is_path_match(&scope, &res));
    }
}
