//! The built-in demo case: a parent's request about Amelia Hartley (Year 8, Riverside
//! Academy), with a Purview-style mail export, MIS reports, a tracker spreadsheet, the school
//! roster and the DPO's decisions. Everyone in it is invented (scripts/fixture-src/demo_case.py
//! made it). `disclose demo` writes it out and runs the whole pipeline on it.

use std::path::Path;

/// Every file of the case, relative to the case folder.
pub const CASE_FILES: &[(&str, &[u8])] = &[
    (
        "case.toml",
        include_bytes!("../fixtures/demo/case/case.toml"),
    ),
    (
        "decisions.toml",
        include_bytes!("../fixtures/demo/case/decisions.toml"),
    ),
    (
        "drive/8RH-support-tracker.xlsx",
        include_bytes!("../fixtures/demo/case/drive/8RH-support-tracker.xlsx"),
    ),
    (
        "export/0001.eml",
        include_bytes!("../fixtures/demo/case/export/0001.eml"),
    ),
    (
        "export/0002.eml",
        include_bytes!("../fixtures/demo/case/export/0002.eml"),
    ),
    (
        "export/0003.eml",
        include_bytes!("../fixtures/demo/case/export/0003.eml"),
    ),
    (
        "export/0004.eml",
        include_bytes!("../fixtures/demo/case/export/0004.eml"),
    ),
    (
        "export/0005.eml",
        include_bytes!("../fixtures/demo/case/export/0005.eml"),
    ),
    (
        "export/0006.eml",
        include_bytes!("../fixtures/demo/case/export/0006.eml"),
    ),
    (
        "export/0007.eml",
        include_bytes!("../fixtures/demo/case/export/0007.eml"),
    ),
    (
        "export/0008.eml",
        include_bytes!("../fixtures/demo/case/export/0008.eml"),
    ),
    (
        "export/Results.csv",
        include_bytes!("../fixtures/demo/case/export/Results.csv"),
    ),
    (
        "mis/behaviour-log-8RH.pdf",
        include_bytes!("../fixtures/demo/case/mis/behaviour-log-8RH.pdf"),
    ),
    (
        "mis/incident-statement-2023-09-12.pdf",
        include_bytes!("../fixtures/demo/case/mis/incident-statement-2023-09-12.pdf"),
    ),
    (
        "mis/pastoral-referral-2023-10-06.pdf",
        include_bytes!("../fixtures/demo/case/mis/pastoral-referral-2023-10-06.pdf"),
    ),
    (
        "mis/roster.csv",
        include_bytes!("../fixtures/demo/case/mis/roster.csv"),
    ),
];

/// Writes the demo case into `dir` (created owner-only, as every case folder is).
pub fn write_case(dir: &Path) -> std::io::Result<()> {
    for (rel, bytes) in CASE_FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            crate::fsutil::private_dir(parent)?;
        }
        crate::fsutil::write_atomic_unsynced(&path, bytes)?;
    }
    crate::fsutil::private_dir(dir)
}
