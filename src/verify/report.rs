//! What verification found. A report with any finding is a failed bundle: there is no
//! "warning" level, because the question is only whether the bundle may be sent.

use std::fmt;

/// One reason the bundle must not be sent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// The zip entry it concerns, or `(zip)` for the archive as a whole.
    pub entry: String,
    pub problem: String,
}

/// The archive as a whole, in [`Finding::entry`].
pub const WHOLE_ZIP: &str = "(zip)";

impl Finding {
    pub fn new(entry: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            entry: entry.into(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.entry, self.problem)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Entries in the zip, manifest included.
    pub entries: usize,
    /// PDF entries checked.
    pub pdfs: usize,
    /// Pages across the PDFs that parsed.
    pub pages: usize,
    pub findings: Vec<Finding>,
}

impl VerifyReport {
    /// True when nothing was found: the only state in which the bundle may be sent.
    pub fn passed(&self) -> bool {
        self.findings.is_empty()
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (e, p, g) = (self.entries, self.pdfs, self.pages);
        if self.passed() {
            return writeln!(f, "PASSED: {e} entries, {p} PDFs, {g} pages checked");
        }
        let n = self.findings.len();
        writeln!(
            f,
            "FAILED: {n} problem{} in {e} entries ({p} PDFs, {g} pages):",
            if n == 1 { "" } else { "s" }
        )?;
        for finding in &self.findings {
            writeln!(f, "  {finding}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_lists_every_finding() {
        let mut r = VerifyReport {
            entries: 3,
            pdfs: 2,
            pages: 5,
            findings: vec![],
        };
        assert!(r.passed());
        assert_eq!(
            r.to_string(),
            "PASSED: 3 entries, 2 PDFs, 5 pages checked\n"
        );
        r.findings
            .push(Finding::new("0001-email.pdf", "has 1 annotation"));
        r.findings.push(Finding::new(WHOLE_ZIP, "has a comment"));
        assert!(!r.passed());
        assert_eq!(
            r.to_string(),
            "FAILED: 2 problems in 3 entries (2 PDFs, 5 pages):\n  \
             0001-email.pdf: has 1 annotation\n  (zip): has a comment\n"
        );
    }
}
