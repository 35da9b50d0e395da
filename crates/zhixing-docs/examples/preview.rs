//! Prints the plain-text preview of a kind with fields given as `name=value` arguments:
//! `cargo run -p zhixing-docs --example preview -- fine_decision court_name=… date=2026-11-22 …`.
//! With `--docx FILE` it writes the DOCX there as well.
#![allow(clippy::print_stdout)]

use zhixing_docs::{DocKind, Fields, Templates};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let kind = args
        .next()
        .and_then(|k| DocKind::from_str_opt(&k))
        .ok_or("first argument: a kind id")?;
    let mut fields = Fields::new();
    let mut docx = None;
    while let Some(arg) = args.next() {
        if arg == "--docx" {
            docx = args.next();
        } else if let Some((k, v)) = arg.split_once('=') {
            fields.insert(k, v);
        }
    }
    let templates = Templates::builtin();
    print!("{}", zhixing_docs::render_text(kind, &fields, &templates)?);
    if let Some(path) = docx {
        std::fs::write(path, zhixing_docs::render(kind, &fields, &templates)?)?;
    }
    Ok(())
}
