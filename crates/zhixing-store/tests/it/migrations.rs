//! The migration set is append-only: a migration, once released, never changes. Each file in
//! `migrations/` is pinned here by version, name, SM3 of its bytes and the checksum sqlx records in
//! `_sqlx_migrations` (a changed checksum makes every installed database refuse to start).
//!
//! Adding a migration: add `NNNN_name.sql`, run this test, and append the line it prints to
//! [`EXPECTED`]. Never edit a pinned line — write a new migration instead.

use std::fmt::Write as _;
use std::path::PathBuf;

use zhixing_domain::audit::sm3_hex;
use zhixing_store::MIGRATOR;

/// (version, file name, SM3 of the file bytes, sqlx checksum (SHA-384 of the SQL) as hex)
const EXPECTED: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "0001_foundation.sql",
        "8a397cd80eb43d34d71d4269783a5fd5b44f9cddf1ace8002b3094ad3f33ef9c",
        "59f5eba54f0f0efdf4bba25261d50446a6689b3261f61a1ef8b5049075b389116ed8b120a2f721c1cfd7b044b7038c31",
    ),
    (
        2,
        "0002_deadlines.sql",
        "f1367b7e15065f7c9ee89129051cf1e72c446181a544bd439f3ff1c1d5aa19e3",
        "1309a94da981a7e2903fb851baa1e6b938ea493c4b2356e9423bca5a60bc859f1c2e426fb2bc2529bc71e08d72787f2c",
    ),
    (
        3,
        "0003_funds.sql",
        "300ca053c930ae08a6b2f4d4b14541e1e5005fd918529170910dcf0e8307c373",
        "45a971ce9f08d224e5a1688a3e213c17d05b8e1d5f8522ef11c910fe582d657c8c455366aa5506d8161bfbc0e976a06f",
    ),
    (
        4,
        "0004_claim_timers.sql",
        "a5619563c5ea8707ef7e1b26cf68ec29edf1fa0c5bf55078696f11bdff346cbb",
        "c2127d7ff22219ba1ebc05af30b3a19c147841f13630c11cd6f2e152446756db5bf3df69a5d9fc79890c6fad82c57cf0",
    ),
    (
        5,
        "0005_measures.sql",
        "a942ac312eaa229504b0c28a7d716629aa27a91492d329c6ad69a06d1ccbdd2f",
        "5c3b0cf5bd5f016eafa6c3a3514565fc0623c85ae7684696f02a840a4619cae5c61de09e24acbd6517e46b16c7ceab41",
    ),
    (
        6,
        "0006_duty.sql",
        "70287ee7ad3b358bb91795bb7e0392274b29506a5f6df539ce589c81172eeed7",
        "a2190a0db5696030b68c68fad7efe4f5f018a2a0b4a3c41022081909365f6a7fd6c5e2415706a4ab8ee407eb8a1d97a8",
    ),
    (
        7,
        "0007_reviews.sql",
        "bd4c5656fe1a9ccb3b393ce01c79f8d95e23d66a8eebadea2d0fe67f0afadf76",
        "d2fe65168d7ed93c4784f5d6b98fa0b2739215a5a17159ce63a9c67a7c1156eb755932497db5168069d1b58cdc3bd46b",
    ),
    (
        8,
        "0008_correction_reviews.sql",
        "4d70ca4e0cb8a32bd05597cd916db34f53b3cb442c7f9ca02209b7a23dfc57f8",
        "cbc7e4e821fd05047884a2b4085b4e0905c082d48bc17aacd8fb30421961246ef5d9978ed53b7f7d7ecb7e965238fa1f",
    ),
    (
        9,
        "0009_referral_outcomes.sql",
        "3eeb909a081a2262c812cc2de78c3e8ac82205b8ac7f9b48284d3be43c8b015a",
        "dc94e3559bc1ac8360d366ecace2e7cc764c3614348ca174089bb36ebaae30fb25711851f58d30058adc527df088e9f3",
    ),
    (
        10,
        "0010_detention_times.sql",
        "c82ddf2bcec9da1d826c62b05c7bc827d928cfa908f9fa1f9275ea41e96bff5e",
        "0c94d4b670f3215796b9c9ba73d2b916d7e0fd43a106774dd55956eb19c492a11a504d6284adc118fc6ff766e9adbde9",
    ),
    (
        11,
        "0011_fine_payments.sql",
        "79a692f67d30d91fac243490419aa033c6e9befed9ca481a998d6c273b3373a4",
        "b2f181a21a2df7b951328fcbfa800fed883505b4e41b270f3b766224c7942b1a63f4961cb677d1058464381f1aa94f06",
    ),
    (
        12,
        "0012_disbursement_keys.sql",
        "942e5694284e1bbc1106672d80fb997c54749fd7f4ba4d708446ba3a2687d2d2",
        "2a59f48a8e8b5675e469fa323ef06410b2c6ecccc4ad88a5fc021700cb2bc97f718eaf8998a35248b182a91bf718c0ab",
    ),
    (
        13,
        "0013_execution_records.sql",
        "405bf8b389d9feac8cf31ca23870fa47867c8cd2a7ce2761557a8cafcb7c6583",
        "ac8ef8bb12e3ffc936c70ec9befa47c055650bbff88510de20b821671d481594434b8eef60f1bcbd52a540d7b54aa444",
    ),
    (
        14,
        "0014_consumption_permissions.sql",
        "094d38d9e292e40b17d2dc9f6bc7c037c6cde62dc2825510abef87f523629730",
        "38561673fa6a25d0c6e9514fd70f7b135f7754d3c3698306620a4275ba6b3f3b2f1ccaa1251db354df0446292214fd7c",
    ),
    (
        15,
        "0015_questioning_record.sql",
        "4e89cb4dcebdbaa9cf5611d3a98d826c17bde09e19def579b6296c04fedd9e9a",
        "a36070355dde0daf4b35724ceb0e229451f79fc59dd1461b75fe2fbbdee0afafed8f3a1889f92046309eb0409bb0cd57",
    ),
];

fn migrations_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../migrations")
}

/// (version, file name, sm3, sqlx checksum) of every file on disk, by version.
fn on_disk() -> Vec<(i64, String, String, String)> {
    let mut files: Vec<(i64, String, String, String)> = std::fs::read_dir(migrations_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".sql"))
        .map(|name| {
            let version: i64 = name
                .split('_')
                .next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("migration file {name} must start with a version number and '_'"));
            let bytes = std::fs::read(migrations_dir().join(&name)).unwrap();
            let embedded = MIGRATOR.iter().find(|m| m.version == version).unwrap_or_else(|| {
                panic!("{name} is on disk but not embedded in MIGRATOR: rebuild zhixing-store (touch src/lib.rs)")
            });
            assert_eq!(
                embedded.sql.as_str().as_bytes(),
                bytes.as_slice(),
                "{name}: the embedded migration differs from the file: rebuild zhixing-store"
            );
            (version, name, sm3_hex(&bytes), hex(&embedded.checksum))
        })
        .collect();
    files.sort();
    files
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[test]
fn migrations_are_append_only() {
    let disk = on_disk();
    let lines: String = disk
        .iter()
        .map(|(v, name, sm3, sum)| format!("    ({v}, \"{name}\", \"{sm3}\", \"{sum}\"),\n"))
        .collect();
    let hint = format!(
        "\nmigrations on disk now:\n{lines}\nA NEW migration: append its line to EXPECTED. An EDITED or REMOVED \
         migration: restore it and put the change in a new migration instead."
    );
    // Every pinned migration is still there, byte for byte, with the same sqlx checksum.
    for (i, (v, name, sm3, sum)) in EXPECTED.iter().enumerate() {
        let found = disk
            .get(i)
            .unwrap_or_else(|| panic!("pinned migration {name} is missing{hint}"));
        assert_eq!(
            (found.0, found.1.as_str()),
            (*v, *name),
            "migration {i} renamed or removed{hint}"
        );
        assert_eq!(found.2, *sm3, "{name} was edited after release{hint}");
        assert_eq!(
            found.3, *sum,
            "{name}: sqlx checksum changed (edited file or a changed sqlx checksum rule){hint}"
        );
    }
    // Anything after them is new and must be pinned too.
    assert_eq!(disk.len(), EXPECTED.len(), "unpinned migration(s){hint}");
    // Versions strictly increase and MIGRATOR embeds exactly the files on disk.
    assert!(
        disk.windows(2).all(|w| w[0].0 < w[1].0),
        "duplicate version{hint}"
    );
    let embedded: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
    let files: Vec<i64> = disk.iter().map(|d| d.0).collect();
    assert_eq!(
        embedded, files,
        "MIGRATOR is stale or has extra migrations: rebuild zhixing-store"
    );
    for m in MIGRATOR.iter() {
        assert!(
            !m.no_tx,
            "migration {} runs outside a transaction",
            m.version
        );
    }
}
