//! The DOCX files open in a real word processor: LibreOffice converts all of them to text in one
//! run, and the text carries the names and amounts. Fails (never skips) without `soffice`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use zhixing_docs::{DocKind, Templates, render};

use crate::{sample, scratch_dir, zip_part};

const TIMEOUT: Duration = Duration::from_secs(120);

fn soffice() -> String {
    let found = Command::new("soffice")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "LibreOffice (`soffice`) is not installed: the DOCX round-trip test needs it. \
         Run scripts/test.sh, which installs the Debian package libreoffice-writer-nogui."
    );
    "soffice".to_owned()
}

/// Runs soffice with its own profile directory (parallel runs do not share a lock), bounded by TIMEOUT.
/// `to` is soffice's `--convert-to` argument.
fn convert_all(files: &[std::path::PathBuf], to: &str, out: &Path, profile: &Path) {
    let mut child = Command::new(soffice())
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--norestore", "--convert-to", to, "--outdir"])
        .arg(out)
        .args(files)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start soffice");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for soffice") {
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut stderr);
            }
            assert!(status.success(), "soffice failed ({status}): {stderr}");
            return;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("soffice did not finish converting within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn libreoffice_reads_every_kind() {
    let dir = scratch_dir("lo");
    let (docs, out, profile) = (dir.join("docx"), dir.join("txt"), dir.join("profile"));
    for d in [&docs, &out, &profile] {
        std::fs::create_dir_all(d).unwrap();
    }
    let fields = sample();
    let mut files = Vec::new();
    for kind in DocKind::ALL {
        let path = docs.join(format!("{}.docx", kind.as_str()));
        std::fs::write(&path, render(kind, &fields, &Templates::builtin()).unwrap()).unwrap();
        files.push(path);
    }
    // Markup characters in a value must come out as written.
    let special = sample().set("applicant_name", "张三 <A&B>");
    let path = docs.join("special.docx");
    std::fs::write(
        &path,
        render(DocKind::EnforcementNotice, &special, &Templates::builtin()).unwrap(),
    )
    .unwrap();
    files.push(path);

    convert_all(&files, "txt:Text (encoded):UTF8", &out, &profile);

    let read = |name: &str| {
        let path = out.join(format!("{name}.txt"));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("LibreOffice wrote no {}: {e}", path.display()))
    };
    for kind in DocKind::ALL {
        let text = read(kind.as_str());
        for expected in [
            "四川省成都市武侯区人民法院",
            "（2026）川0107执1234号",
            "张三",
            "四川某某建设工程有限公司",
            "12,345.67 元",
            "二〇二六年十一月二十二日",
        ] {
            assert!(
                text.contains(expected),
                "{kind}: LibreOffice text lacks {expected}:\n{text}"
            );
        }
    }
    assert!(read("fine_decision").contains("罚款20,000.00 元"));
    assert!(read("reward_notice").contains("最高不超过3,000.00 元"));
    // The 询问笔录 carries the person questioned, the officers and each question and answer.
    let questioning = read("questioning_record");
    for expected in [
        "询问笔录",
        "被询问人：王五，身份证号码：11010519491231002X",
        "询问人：李四、钱七",
        "记录人：孙八",
        "2026年11月25日9时30分至11时10分",
        "问：你公司现有哪些银行账户和财产？",
        "答：以为公司没有钱就不用报告，现在愿意补充报告。",
        "核对无误后签名",
    ] {
        assert!(
            questioning.contains(expected),
            "questioning_record: LibreOffice text lacks {expected}:\n{questioning}"
        );
    }
    assert!(read("special").contains("张三 <A&B>"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The 笔录 footers survive LibreOffice's import: converted to ODT, the footer is on the page style
/// (so on every page), with real page-number and page-count fields in 四号; a kind without
/// `@footer` lines gets no footer.
#[test]
fn libreoffice_reads_the_footer_with_page_fields() {
    let dir = scratch_dir("lo-footer");
    let (docs, out, profile) = (dir.join("docx"), dir.join("odt"), dir.join("profile"));
    for d in [&docs, &out, &profile] {
        std::fs::create_dir_all(d).unwrap();
    }
    // Enough questions and answers for several pages.
    let qa =
        "问：你公司现有哪些银行账户和财产？\n答：公司在中国某某银行成都武侯支行有一个基本账户。\n"
            .repeat(40);
    let fields = sample().set("questioning_qa", qa.trim_end());
    let kinds = [
        DocKind::QuestioningRecord,
        DocKind::SearchRecord,
        DocKind::EnforcementNotice,
    ];
    let mut files = Vec::new();
    for kind in kinds {
        let path = docs.join(format!("{}.docx", kind.as_str()));
        std::fs::write(&path, render(kind, &fields, &Templates::builtin()).unwrap()).unwrap();
        files.push(path);
    }
    convert_all(&files, "odt", &out, &profile);

    let footer_of = |kind: DocKind| {
        let path = out.join(format!("{}.odt", kind.as_str()));
        let odt = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("LibreOffice wrote no {}: {e}", path.display()));
        let styles = zip_part(&odt, "styles.xml").unwrap();
        let footers: Vec<String> = styles
            .split("<style:footer>")
            .skip(1)
            .map(|f| {
                f.split("</style:footer>")
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        (styles, footers)
    };
    for (kind, expected) in [
        (DocKind::QuestioningRecord, "被询问人（签名、捺印）："),
        (DocKind::SearchRecord, "被搜查人（签名）："),
    ] {
        let (styles, footers) = footer_of(kind);
        assert_eq!(footers.len(), 1, "{kind}: footers {footers:?}");
        let footer = &footers[0];
        assert!(footer.contains(expected), "{kind}: {footer}");
        for field in ["<text:page-number", "<text:page-count"] {
            // The field sits in a span whose style is 14 pt (四号).
            let before = footer
                .split(field)
                .next()
                .filter(|b| b.len() < footer.len())
                .unwrap_or_else(|| panic!("{kind}: no {field} in the footer: {footer}"));
            // The field directly in a span (not after a closed one): `…<text:span text:style-name="X">`.
            let style = before
                .rsplit_once("<text:span text:style-name=\"")
                .and_then(|(_, rest)| rest.strip_suffix("\">"))
                .filter(|name| !name.contains('<'))
                .unwrap_or_else(|| panic!("{kind}: {field} is not in a styled span: {footer}"));
            let definition = styles
                .split(&format!("style:name=\"{style}\""))
                .nth(1)
                .and_then(|d| d.split("</style:style>").next())
                .unwrap_or_else(|| panic!("{kind}: no style {style}"));
            assert!(
                definition.contains(r#"fo:font-size="14pt""#),
                "{kind}: {field} not in 四号: {definition}"
            );
        }
    }
    assert!(
        footer_of(DocKind::EnforcementNotice).1.is_empty(),
        "enforcement_notice has a footer"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
