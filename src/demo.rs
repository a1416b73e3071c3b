//! The built-in example: a sample MIS behaviour report (made with ReportLab by
//! `scripts/make-fixtures.sh`) and the names a redaction lead would remove from it when the
//! data subject is Amelia Hartley.

pub const MIS_REPORT: &[u8] = include_bytes!("../fixtures/demo/behaviour-report.pdf");

pub const TERMS: &[&str] = &["Jayden Okafor", "Zoë Brennan-Whyte", "Siobhán O'Neill"];
