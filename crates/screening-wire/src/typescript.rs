//! The TypeScript types of the wire shapes the widget's npm package exposes, generated from
//! the types of this crate (`ts-rs`, a dev-dependency: neither the wasm nor the server has
//! it). `js/screening-wire.d.ts` is this module's output, checked in; the test below fails
//! when it differs from what the Rust types say. Regenerate it with
//! `UPDATE_TS=1 cargo test -p screening-wire --lib typescript`.

use std::any::TypeId;
use std::path::PathBuf;

use ts_rs::{Config, TypeVisitor, TS};

use crate::ats::{AtsId, Job};
use crate::{
    Applicant, CheckResult, CheckStatus, FieldError, HiringManager, OrderEvent, OrderItem,
    OrderState,
};

/// The command that rewrites the file, for the failure message and the file's header.
const REGENERATE: &str = "UPDATE_TS=1 cargo test -p screening-wire --lib typescript";

/// One declared type: its name, its TypeScript declaration, and the types it names.
struct Decl {
    id: TypeId,
    name: String,
    text: String,
    deps: Vec<(TypeId, String)>,
}

fn decl<T: TS + 'static>(cfg: &Config) -> Decl {
    struct Deps<'a>(&'a Config, Vec<(TypeId, String)>);
    impl TypeVisitor for Deps<'_> {
        fn visit<U: TS + 'static + ?Sized>(&mut self) {
            if U::output_path().is_some() {
                self.1.push((TypeId::of::<U>(), U::ident(self.0)));
            }
        }
    }
    let mut deps = Deps(cfg, Vec::new());
    T::visit_dependencies(&mut deps);
    Decl {
        id: TypeId::of::<T>(),
        name: T::ident(cfg),
        text: format!("{}export {}", T::docs().unwrap_or_default(), T::decl(cfg)),
        deps: deps.1,
    }
}

/// Every type the package exposes, in the file's order: each one that another names is in
/// the list too (checked), so the file declares all it uses.
fn decls() -> Vec<Decl> {
    // JSON numbers are JavaScript numbers, not `bigint`.
    let cfg = Config::new().with_large_int("number");
    vec![
        decl::<CheckStatus>(&cfg),
        decl::<CheckResult>(&cfg),
        decl::<AtsId>(&cfg),
        decl::<Applicant>(&cfg),
        decl::<HiringManager>(&cfg),
        decl::<Job>(&cfg),
        decl::<FieldError>(&cfg),
        decl::<OrderItem>(&cfg),
        decl::<OrderEvent>(&cfg),
        decl::<OrderState>(&cfg),
    ]
}

/// The whole file.
fn render(decls: &[Decl]) -> String {
    let mut out = format!(
        "// Generated from the Rust types of crates/screening-wire: do not edit by hand.\n\
         // Regenerate with `{REGENERATE}`.\n"
    );
    for d in decls {
        out.push('\n');
        out.push_str(&d.text);
        out.push('\n');
    }
    out
}

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../js/screening-wire.d.ts")
}

/// The types a declaration names that the list does not declare (`OrderState names OrderEvent`).
fn undeclared(decls: &[Decl]) -> Vec<String> {
    decls
        .iter()
        .flat_map(|d| {
            d.deps
                .iter()
                .filter(|(id, _)| !decls.iter().any(|o| o.id == *id))
                .map(move |(_, name)| format!("{} names {name}", d.name))
        })
        .collect()
}

#[test]
fn typescript_types_match_the_rust_types() {
    let decls = decls();
    let missing = undeclared(&decls);
    assert!(
        missing.is_empty(),
        "{}, which js/screening-wire.d.ts does not declare: add it to `decls` in \
         crates/screening-wire/src/typescript.rs, then run `{REGENERATE}`",
        missing.join("; ")
    );
    let want = render(&decls);
    let path = path();
    if std::env::var_os("UPDATE_TS").is_some() {
        std::fs::write(&path, &want).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        let line = have
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| have.lines().count().min(want.lines().count()))
            + 1;
        panic!(
            "js/screening-wire.d.ts is not what the Rust types of crates/screening-wire say \
             (first difference at line {line}); regenerate it with `{REGENERATE}` and commit \
             it\n--- expected ---\n{want}"
        );
    }
}

#[test]
fn large_integers_are_numbers_and_optional_fields_are_marked() {
    // What the generator is configured for, seen on declarations the package uses.
    let decls = decls();
    let text = |n: &str| &decls.iter().find(|d| d.name == n).unwrap().text;
    assert!(text("OrderItem").contains("invitation_status?: string | null"));
    assert!(text("OrderState").contains("result: CheckResult | null"));
    assert!(text("CheckStatus").contains("\"form_completed\""));
    let cfg = Config::new().with_large_int("number");
    assert_eq!(<u64 as TS>::name(&cfg), "number");
}

#[test]
fn a_named_type_left_out_of_the_list_is_reported() {
    let decls: Vec<Decl> = decls()
        .into_iter()
        .filter(|d| d.name != "OrderEvent")
        .collect();
    assert_eq!(undeclared(&decls), ["OrderState names OrderEvent"]);
}
