//! The reasons a school may give for leaving information out of a Subject Access Request
//! response, each with the law it rests on and words the requester can understand.
//!
//! Every redaction and every withheld item carries one of these codes, so the DPO can defend
//! each to the requester and to the ICO. The codes are internal shorthand; the requester sees
//! the plain-English description, because information disclosed must be clear and any code or
//! technical term has to be explained. Citations follow `shared/DOMAIN.md` §3: where it marks a
//! paragraph number as unverified, the citation here names only the Part that is known and the
//! note gives the likely paragraph, so the tool never states more than has been checked.

use serde::Serialize;

use crate::case::casefile::CustomReason;

/// Where a reason may be used. A decision that uses a reason in the wrong place (refusing a
/// whole request with a redaction reason, say) is a mistake the DPO should be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppliesTo {
    /// Only part of an item may be removed.
    Redaction,
    /// Only a whole item may be withheld.
    WholeItem,
    /// Either part of an item or the whole of it.
    Both,
    /// Neither: the reason answers the request as a whole (refusal or a fee).
    WholeRequest,
}

impl AppliesTo {
    pub fn allows_redaction(self) -> bool {
        matches!(self, AppliesTo::Redaction | AppliesTo::Both)
    }

    pub fn allows_whole_item(self) -> bool {
        matches!(self, AppliesTo::WholeItem | AppliesTo::Both)
    }

    /// Wording for the listing, which a DPO rather than a programmer reads.
    pub fn label(self) -> &'static str {
        match self {
            AppliesTo::Redaction => "redact part of an item",
            AppliesTo::WholeItem => "withhold a whole item",
            AppliesTo::Both => "redact part of an item, or withhold a whole item",
            AppliesTo::WholeRequest => "the whole request only (not for single items)",
        }
    }
}

/// What leaving information out on this ground means to the requester: the cover letter says
/// "exempt" only for true exemptions, and "outside your request" for scope reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonKind {
    /// An exemption from the right of access in the Data Protection Act 2018.
    Exemption,
    /// The information is not the requester's (or the pupil's) personal data at all.
    OutOfScope,
    /// The request itself is refused or charged for.
    RequestRefusal,
}

/// One reason code and everything needed to apply and explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exemption {
    /// Upper-case code used in proposals, decisions and logs.
    pub code: String,
    pub citation: String,
    /// For the requester's cover letter: plain English, no codes or abbreviations.
    pub description: String,
    /// Prejudice- or harm-based grounds hold only case by case, so each use needs a written
    /// reason from a person; class-based grounds are justified by the citation itself.
    pub needs_justification: bool,
    pub applies_to: AppliesTo,
    pub kind: ReasonKind,
    /// False where the project's domain reference has not checked the citation against the
    /// legislation; the note then says what is uncertain.
    pub verified: bool,
    /// For the DPO: limits, uncertainties, and what to check before relying on the reason.
    pub note: Option<String>,
    /// Other codes accepted for this one (older names, the codes other documents use).
    pub aliases: Vec<String>,
    /// Added by the case file rather than built in.
    pub custom: bool,
}

/// The built-in table as static data, so the catalogue can be read as a list of facts.
struct Builtin {
    code: &'static str,
    aliases: &'static [&'static str],
    citation: &'static str,
    description: &'static str,
    needs_justification: bool,
    applies_to: AppliesTo,
    kind: ReasonKind,
    verified: bool,
    note: Option<&'static str>,
}

const BUILTINS: &[Builtin] = &[
    Builtin {
        code: "THIRD-PARTY",
        aliases: &[],
        citation: "DPA 2018 Sch 2 Pt 3 para 16 (factors: para 17)",
        description: "Information about another person, such as another pupil or a family \
            member, that would identify them. We do not have that person's agreement to share \
            it, and it would not be reasonable to share it without their agreement.",
        needs_justification: false,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: true,
        note: Some(
            "Weigh each person case by case (para 17: duty of confidence, whether consent was \
             sought, whether it was refused). Staff named while doing their job are normally \
             disclosed, not redacted.",
        ),
    },
    Builtin {
        code: "SERIOUS-HARM",
        aliases: &["EDU-HARM"],
        citation: "DPA 2018 Sch 3 Pt 4 (serious harm test: para 17(2))",
        description: "Information from the school's education records that, if shared, would \
            be likely to cause serious harm to the physical or mental health of the pupil or of \
            someone else.",
        needs_justification: true,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: false,
        note: Some(
            "The test in para 17(2) is verified; the exemption itself is believed to be para 19, \
             which is not verified, so check it before quoting a paragraph. Education records \
             only: not health data.",
        ),
    },
    Builtin {
        code: "CHILD-ABUSE",
        aliases: &[],
        citation: "DPA 2018 Sch 3 Pt 5",
        description: "Information about whether a child has been abused or may be at risk of \
            abuse, which we have not shared with the person asking on the child's behalf \
            because sharing it would not be in the child's best interests.",
        needs_justification: true,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: false,
        note: Some(
            "Only when someone with parental responsibility (or appointed by a court) asks on \
             the child's behalf; England, Wales and Northern Ireland. Believed to be para 21, \
             which is not verified.",
        ),
    },
    Builtin {
        code: "LPP",
        aliases: &[],
        citation: "DPA 2018 Sch 2 Pt 4 para 19",
        description: "Confidential legal advice, or material prepared for legal proceedings, \
            that the law allows to stay confidential (this is known as legal professional \
            privilege).",
        needs_justification: false,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: true,
        note: Some(
            "Reported to have been amended by the Data (Use and Access) Act 2025 s.79 (not \
             verified): check the current text on legislation.gov.uk.",
        ),
    },
    Builtin {
        code: "CONF-REF",
        aliases: &[],
        citation: "DPA 2018 Sch 2 Pt 4 para 24",
        description: "A reference given in confidence about a person's education, training or \
            employment, for example a reference for a job or a place at a college.",
        needs_justification: false,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: true,
        note: Some(
            "Paragraph verified. Believed to cover references the school received as well as \
             those it gave; that scope is not verified.",
        ),
    },
    Builtin {
        code: "EXAM-SCRIPT",
        aliases: &[],
        citation: "DPA 2018 Sch 2 Pt 4 para 25(1)",
        description: "The answers a candidate wrote during an exam. This does not cover an \
            examiner's comments or marks, which are included where we hold them.",
        needs_justification: false,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: true,
        note: Some(
            "Examiner comments and marks are not exempt: redact only the candidate's answers.",
        ),
    },
    Builtin {
        code: "EXAM-MARKS",
        aliases: &[],
        citation: "DPA 2018 Sch 2 Pt 4 para 25(2)-(4)",
        description: "Exam marks asked for before the results were announced. We will send \
            them within five months of the request, or within 40 days of the results being \
            announced if that is sooner.",
        needs_justification: false,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: true,
        note: Some(
            "Delays the answer rather than withholding for good: the marks are due at the \
             earlier of 5 months from the request or 40 days after the results are announced.",
        ),
    },
    Builtin {
        code: "MGMT-FORECAST",
        aliases: &[],
        citation: "DPA 2018 Sch 2 Pt 4 para 22",
        description: "Information used for the school's management planning or forecasting, \
            such as plans for staffing changes, where sharing it would be likely to harm the \
            running of the school.",
        needs_justification: true,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: true,
        note: None,
    },
    Builtin {
        code: "NEGOTIATIONS",
        aliases: &[],
        citation: "DPA 2018 Sch 2 Pt 4 para 23",
        description: "A record of the school's intentions in negotiations with the person the \
            information is about, where sharing it would be likely to harm those negotiations.",
        needs_justification: true,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: true,
        note: Some("Covers the school's intentions only, not facts or the other side's offers."),
    },
    Builtin {
        code: "CRIME",
        aliases: &[],
        citation: "DPA 2018 Sch 2 Pt 1 para 2",
        description: "Information that, if shared, would be likely to harm the prevention or \
            detection of crime, the catching or prosecution of offenders, or the collection of \
            tax.",
        needs_justification: true,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: true,
        note: Some("Only where disclosure is likely to prejudice those purposes; case by case."),
    },
    Builtin {
        code: "SELF-INCRIM",
        aliases: &[],
        citation: "DPA 2018 Sch 2 Pt 4 para 20",
        description: "Information that would reveal evidence of an offence by the school and so \
            expose it to prosecution. This cannot be used for offences under data protection \
            law.",
        needs_justification: true,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: true,
        note: None,
    },
    Builtin {
        code: "PUBLIC-PROT",
        aliases: &[],
        citation: "DPA 2018 Sch 2 Pt 2 para 7 / para 10",
        description: "Information held for work that protects the public, such as the \
            inspection or oversight of children's services, where sharing it would be likely to \
            harm that work.",
        needs_justification: true,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: false,
        note: Some(
            "Para 7: functions designed to protect the public; para 10: regulatory functions \
             for children's services. Taken from the ICO's list and a council's code list, not \
             checked against the Act.",
        ),
    },
    Builtin {
        code: "EDU-COURT",
        aliases: &["COURT"],
        citation: "DPA 2018 Sch 3 Pt 4",
        description: "A report or other evidence given to a court in proceedings about a child, \
            which the court's own rules allow it to keep from the person it is about.",
        needs_justification: false,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: false,
        note: Some(
            "Education data processed by a court; believed to be para 18, which is not \
             verified. The Act has no general court-order exemption from access, so COURT is \
             accepted as another name for this one.",
        ),
    },
    Builtin {
        code: "SOCIAL-WORK",
        aliases: &[],
        citation: "DPA 2018 Sch 3 Pt 3 para 11",
        description: "Social care records, such as those of a council's children's services, \
            that, if shared, would be likely to cause serious harm to the physical or mental \
            health of the person they are about or of someone else.",
        needs_justification: true,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: false,
        note: Some(
            "Taken from a council's code list, not checked against the Act. For social work \
             records (usually the local authority's); for the school's own education records \
             use SERIOUS-HARM.",
        ),
    },
    Builtin {
        code: "SCH4-ADOPTION",
        aliases: &["ADOPTION"],
        citation: "DPA 2018 Sch 4",
        description: "Adoption records and reports, which another law says must not be shared \
            in this way.",
        needs_justification: false,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: false,
        note: Some("Believed to be para 3, which is not verified."),
    },
    Builtin {
        code: "SCH4-SEN",
        aliases: &[],
        citation: "DPA 2018 Sch 4",
        description: "Statements of a child's special educational needs, which another law says \
            must not be shared in this way.",
        needs_justification: false,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: false,
        note: Some(
            "Believed to be para 4, which is not verified; nor is whether it extends to \
             education, health and care plans.",
        ),
    },
    Builtin {
        code: "SCH4-PARENTAL-ORDER",
        aliases: &[],
        citation: "DPA 2018 Sch 4",
        description: "Records and reports about a parental order (the court order that makes \
            the people who arranged a surrogacy the child's legal parents), which another law \
            says must not be shared in this way.",
        needs_justification: false,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: false,
        note: Some("Believed to be para 5, which is not verified."),
    },
    Builtin {
        code: "SCH4-HFE",
        aliases: &[],
        citation: "DPA 2018 Sch 4",
        description: "Information protected by the law on fertility treatment, for example \
            whether a person was born as a result of fertility treatment, which that law says \
            must not be shared in this way.",
        needs_justification: false,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::Exemption,
        verified: false,
        note: Some(
            "Human fertilisation and embryology information; believed to be para 2, which is \
             not verified.",
        ),
    },
    Builtin {
        code: "MUE",
        aliases: &[],
        citation: "UK GDPR Art 12(5)",
        description: "We decided that the request was clearly unfounded or excessive, for \
            example because it repeats a request we have already answered, so we have refused \
            it or charged a reasonable fee for dealing with it.",
        needs_justification: true,
        applies_to: AppliesTo::WholeRequest,
        kind: ReasonKind::RequestRefusal,
        verified: true,
        note: Some(
            "Manifestly unfounded or excessive. Applies to the whole request, not to single \
             items, and the school bears the burden of showing why.",
        ),
    },
    Builtin {
        code: "NOT-SUBJECT",
        aliases: &[],
        citation: "UK GDPR Art 15(1) (scope of the right of access)",
        description: "Information that is not about the person the request concerns. The right \
            of access covers only a person's own personal information, so this is outside the \
            request.",
        needs_justification: false,
        applies_to: AppliesTo::Both,
        kind: ReasonKind::OutOfScope,
        verified: true,
        note: Some("Not an exemption: the information is outside the request, not withheld."),
    },
];

/// Abbreviations used in citations and notes, spelled out at the top of the listing.
/// Descriptions must not need them; citations and notes may, as long as every one is here.
pub const ABBREVIATIONS: &[(&str, &str)] = &[
    ("DPA 2018", "Data Protection Act 2018"),
    (
        "UK GDPR",
        "United Kingdom General Data Protection Regulation",
    ),
    ("Sch", "Schedule"),
    ("Pt", "Part"),
    ("para", "paragraph"),
    ("Art", "Article"),
    ("s.", "section"),
    ("ICO", "Information Commissioner's Office"),
];

/// Longest code accepted from a case file; keeps the listing's columns and the log's cells tidy.
const MAX_CODE_LEN: usize = 32;

/// Width the listing wraps to: fits an ordinary terminal and a printed page.
const WRAP: usize = 96;

/// The built-in reasons plus any the case adds, looked up by code or alias in any case.
#[derive(Debug, Clone)]
pub struct Catalogue {
    entries: Vec<Exemption>,
}

impl Catalogue {
    pub fn built_in() -> Catalogue {
        let entries = BUILTINS
            .iter()
            .map(|b| Exemption {
                code: b.code.to_string(),
                citation: b.citation.to_string(),
                description: b.description.to_string(),
                needs_justification: b.needs_justification,
                applies_to: b.applies_to,
                kind: b.kind,
                verified: b.verified,
                note: b.note.map(str::to_string),
                aliases: b.aliases.iter().map(|a| a.to_string()).collect(),
                custom: false,
            })
            .collect();
        Catalogue { entries }
    }

    /// The built-in catalogue extended by the case's `[[reason]]` tables. Every problem is
    /// reported at once, so a DPO fixing the case file does not have to re-run for each.
    ///
    /// A custom code may not reuse a built-in code or alias: a school's "LPP" meaning something
    /// else would make logs say one thing and mean another. Codes are stored upper-case.
    pub fn with_custom(custom: &[CustomReason]) -> Result<Catalogue, String> {
        let mut cat = Catalogue::built_in();
        let mut problems = Vec::new();
        for (i, reason) in custom.iter().enumerate() {
            let code = reason.code.trim().to_ascii_uppercase();
            let label = if code.is_empty() {
                format!("[[reason]] number {}", i + 1)
            } else {
                format!("[[reason]] {code}")
            };
            let mut ok = true;
            if let Err(why) = check_code(&code) {
                problems.push(format!("{label}: {why}"));
                ok = false;
            } else if let Some(existing) = cat.get(&code) {
                let whose = if existing.custom {
                    "another [[reason]] in this case".to_string()
                } else if existing.code == code {
                    format!(
                        "the built-in reason {} ({})",
                        existing.code, existing.citation
                    )
                } else {
                    format!(
                        "another name for the built-in reason {} ({})",
                        existing.code, existing.citation
                    )
                };
                problems.push(format!(
                    "{label}: code is already used by {whose}; choose a different code"
                ));
                ok = false;
            }
            let citation = reason.citation.trim();
            if citation.is_empty() {
                problems.push(format!("{label}: citation is empty"));
                ok = false;
            }
            let description = reason.description.trim();
            if description.is_empty() {
                problems.push(format!(
                    "{label}: description is empty (it is what the requester reads)"
                ));
                ok = false;
            }
            if ok {
                cat.entries.push(Exemption {
                    code,
                    citation: citation.to_string(),
                    description: description.to_string(),
                    needs_justification: false,
                    applies_to: AppliesTo::Both,
                    kind: ReasonKind::Exemption,
                    verified: false,
                    note: None,
                    aliases: Vec::new(),
                    custom: true,
                });
            }
        }
        if problems.is_empty() {
            Ok(cat)
        } else {
            Err(problems.join("\n"))
        }
    }

    /// Codes arrive typed by people in `decisions.toml`, so case and surrounding spaces are
    /// forgiven and aliases resolve to the entry under its own code.
    pub fn get(&self, code: &str) -> Option<&Exemption> {
        let key = code.trim();
        self.entries.iter().find(|e| {
            e.code.eq_ignore_ascii_case(key)
                || e.aliases.iter().any(|a| a.eq_ignore_ascii_case(key))
        })
    }

    /// Built-ins first in the order the listing shows them, then the case's own.
    pub fn all(&self) -> &[Exemption] {
        &self.entries
    }

    /// What `disclose reasons` prints: a key to the abbreviations and marks, then one block per
    /// code with the code in its own column so a DPO can scan down it.
    pub fn listing(&self) -> String {
        let width = self
            .entries
            .iter()
            .map(|e| e.code.len())
            .max()
            .unwrap_or(0)
            .max(12)
            + 2;
        let indent = " ".repeat(width);
        let mut out = String::new();
        out.push_str(
            "Reasons for leaving information out of a Subject Access Request response\n\n",
        );
        out.push_str("Abbreviations used below:\n");
        let abbr_width = ABBREVIATIONS
            .iter()
            .map(|(a, _)| a.len())
            .max()
            .unwrap_or(0)
            + 2;
        for (short, long) in ABBREVIATIONS {
            out.push_str(&format!("  {short:<abbr_width$}{long}\n"));
        }
        out.push('\n');
        for line in [
            "Use: whether the reason removes part of an item, withholds a whole item, or \
             answers the whole request.",
            "Justify each use: \"yes\" means a person must write down why the reason applies, \
             every time it is used.",
            "[unverified]: the paragraph number has not been checked against \
             legislation.gov.uk; check it before quoting it.",
            "[from the case file]: added by this school in the case file.",
            "The description under each code is the wording for the requester's letter.",
        ] {
            wrap_into(&mut out, "", "  ", line);
        }
        for e in &self.entries {
            out.push('\n');
            let mark = if e.custom {
                "  [from the case file]"
            } else if !e.verified {
                "  [unverified]"
            } else {
                ""
            };
            out.push_str(&format!("{:<width$}{}{mark}\n", e.code, e.citation));
            out.push_str(&format!("{indent}Use: {}\n", e.applies_to.label()));
            let justify = if e.needs_justification { "yes" } else { "no" };
            out.push_str(&format!("{indent}Justify each use: {justify}\n"));
            match e.kind {
                ReasonKind::Exemption => {}
                ReasonKind::OutOfScope => out.push_str(&format!(
                    "{indent}Kind: outside the request, not an exemption\n"
                )),
                ReasonKind::RequestRefusal => out.push_str(&format!(
                    "{indent}Kind: refusal of the whole request, not an exemption\n"
                )),
            }
            if !e.aliases.is_empty() {
                out.push_str(&format!(
                    "{indent}Also accepted: {}\n",
                    e.aliases.join(", ")
                ));
            }
            wrap_into(&mut out, &indent, &indent, &e.description);
            if let Some(note) = &e.note {
                let first = format!("{indent}Note: ");
                let rest = format!("{indent}      ");
                wrap_into(&mut out, &first, &rest, note);
            }
        }
        out
    }
}

impl Default for Catalogue {
    fn default() -> Self {
        Catalogue::built_in()
    }
}

/// Codes end up in CSV cells, file names and typed decisions, so they are kept to a shape that
/// survives all three and cannot be mistaken for prose.
fn check_code(code: &str) -> Result<(), String> {
    if code.is_empty() {
        return Err("code is empty".to_string());
    }
    if code.len() > MAX_CODE_LEN {
        return Err(format!("code is longer than {MAX_CODE_LEN} characters"));
    }
    if let Some(bad) = code
        .chars()
        .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!(
            "code contains {bad:?}; use only letters A-Z, digits 0-9 and hyphens"
        ));
    }
    if !code.starts_with(|c: char| c.is_ascii_uppercase()) {
        return Err("code must start with a letter".to_string());
    }
    if code.ends_with('-') || code.contains("--") {
        return Err("code must not end with a hyphen or contain two in a row".to_string());
    }
    Ok(())
}

/// Greedy word wrap with separate first-line and continuation prefixes, so long descriptions
/// stay inside the code column's indent.
fn wrap_into(out: &mut String, first: &str, rest: &str, text: &str) {
    let mut line = String::from(first);
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > WRAP {
            out.push_str(&line);
            out.push('\n');
            line = String::from(rest);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    if !empty {
        out.push_str(&line);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(code: &str, citation: &str, description: &str) -> CustomReason {
        CustomReason {
            code: code.to_string(),
            citation: citation.to_string(),
            description: description.to_string(),
        }
    }

    const REQUIRED: &[&str] = &[
        "THIRD-PARTY",
        "SERIOUS-HARM",
        "CHILD-ABUSE",
        "LPP",
        "CONF-REF",
        "EXAM-SCRIPT",
        "EXAM-MARKS",
        "MGMT-FORECAST",
        "NEGOTIATIONS",
        "CRIME",
        "SELF-INCRIM",
        "PUBLIC-PROT",
        "EDU-COURT",
        "SOCIAL-WORK",
        "SCH4-ADOPTION",
        "SCH4-SEN",
        "SCH4-PARENTAL-ORDER",
        "SCH4-HFE",
        "COURT",
        "MUE",
        "NOT-SUBJECT",
    ];

    #[test]
    fn every_required_code_resolves() {
        let cat = Catalogue::built_in();
        for code in REQUIRED {
            assert!(cat.get(code).is_some(), "{code} missing");
        }
    }

    #[test]
    fn built_in_codes_are_unique_well_formed_and_not_aliases_of_each_other() {
        let cat = Catalogue::built_in();
        let mut seen = std::collections::HashSet::new();
        for e in cat.all() {
            assert_eq!(check_code(&e.code), Ok(()), "{}", e.code);
            assert!(seen.insert(e.code.clone()), "duplicate {}", e.code);
            for a in &e.aliases {
                assert_eq!(check_code(a), Ok(()), "{a}");
                assert!(seen.insert(a.clone()), "alias {a} reused");
            }
            assert!(!e.custom);
        }
    }

    #[test]
    fn citations_match_the_domain_reference() {
        let cat = Catalogue::built_in();
        let cite = |c: &str| cat.get(c).map(|e| e.citation.clone()).unwrap_or_default();
        assert!(cite("THIRD-PARTY").contains("Sch 2 Pt 3 para 16"));
        assert!(cite("THIRD-PARTY").contains("para 17"));
        assert!(cite("SERIOUS-HARM").contains("Sch 3 Pt 4"));
        assert!(cite("CHILD-ABUSE").contains("Sch 3 Pt 5"));
        assert!(cite("LPP").contains("Sch 2 Pt 4 para 19"));
        assert!(cite("SELF-INCRIM").contains("Sch 2 Pt 4 para 20"));
        assert!(cite("MGMT-FORECAST").contains("Sch 2 Pt 4 para 22"));
        assert!(cite("NEGOTIATIONS").contains("Sch 2 Pt 4 para 23"));
        assert!(cite("CONF-REF").contains("Sch 2 Pt 4 para 24"));
        assert!(cite("EXAM-SCRIPT").contains("para 25(1)"));
        assert!(cite("EXAM-MARKS").contains("para 25(2)-(4)"));
        assert!(cite("CRIME").contains("Sch 2 Pt 1 para 2"));
        assert!(cite("PUBLIC-PROT").contains("Sch 2 Pt 2"));
        assert!(cite("SOCIAL-WORK").contains("Sch 3 Pt 3"));
        assert!(cite("MUE").contains("Art 12(5)"));
        for c in [
            "SCH4-ADOPTION",
            "SCH4-SEN",
            "SCH4-PARENTAL-ORDER",
            "SCH4-HFE",
        ] {
            assert!(cite(c).contains("Sch 4"), "{c}");
        }
    }

    #[test]
    fn unverified_paragraphs_are_marked_and_not_cited_as_fact() {
        let cat = Catalogue::built_in();
        // DOMAIN.md §3 marks these ❓ or ⚠️ on the citation itself.
        for code in [
            "SERIOUS-HARM",
            "EDU-COURT",
            "CHILD-ABUSE",
            "PUBLIC-PROT",
            "SOCIAL-WORK",
            "SCH4-ADOPTION",
            "SCH4-SEN",
            "SCH4-PARENTAL-ORDER",
            "SCH4-HFE",
        ] {
            let e = cat.get(code).expect("built in");
            assert!(!e.verified, "{code} should be unverified");
            let note = e.note.as_deref().unwrap_or("");
            assert!(
                note.contains("not verified") || note.contains("not checked"),
                "{code}"
            );
        }
        // A guessed paragraph number appears only in the note, never in the citation.
        for (code, para) in [
            ("SERIOUS-HARM", "para 19"),
            ("EDU-COURT", "para 18"),
            ("CHILD-ABUSE", "para 21"),
            ("SCH4-ADOPTION", "para 3"),
            ("SCH4-SEN", "para 4"),
            ("SCH4-PARENTAL-ORDER", "para 5"),
            ("SCH4-HFE", "para 2"),
        ] {
            let e = cat.get(code).expect("built in");
            assert!(!e.citation.contains(para), "{code} cites unverified {para}");
            assert!(
                e.note.as_deref().unwrap_or("").contains(para),
                "{code} note"
            );
        }
        for code in ["THIRD-PARTY", "CRIME", "LPP", "EXAM-SCRIPT", "MUE"] {
            assert!(cat.get(code).expect("built in").verified, "{code}");
        }
        let listing = cat.listing();
        let block = listing
            .split("\n\n")
            .find(|b| b.starts_with("EDU-COURT"))
            .expect("EDU-COURT block");
        assert!(block.contains("[unverified]"));
    }

    #[test]
    fn aliases_resolve_to_the_canonical_entry() {
        let cat = Catalogue::built_in();
        let code = |c: &str| cat.get(c).map(|e| e.code.as_str());
        assert_eq!(code("EDU-HARM"), Some("SERIOUS-HARM"));
        assert_eq!(code("COURT"), Some("EDU-COURT"));
        assert_eq!(code("ADOPTION"), Some("SCH4-ADOPTION"));
    }

    #[test]
    fn lookup_ignores_case_and_surrounding_space() {
        let cat = Catalogue::built_in();
        let code = |c: &str| cat.get(c).map(|e| e.code.as_str());
        assert_eq!(code("third-party"), Some("THIRD-PARTY"));
        assert_eq!(code("  Lpp "), Some("LPP"));
        assert_eq!(code("edu-harm"), Some("SERIOUS-HARM"));
        assert_eq!(code("THIRD PARTY"), None);
        assert_eq!(code(""), None);
        assert_eq!(code("NOPE"), None);
    }

    #[test]
    fn prejudice_and_harm_based_reasons_need_a_justification() {
        let cat = Catalogue::built_in();
        for code in [
            "CRIME",
            "MGMT-FORECAST",
            "NEGOTIATIONS",
            "SELF-INCRIM",
            "PUBLIC-PROT",
            "SERIOUS-HARM",
            "CHILD-ABUSE",
            "SOCIAL-WORK",
            "MUE",
        ] {
            assert!(
                cat.get(code).expect("built in").needs_justification,
                "{code}"
            );
        }
        for code in [
            "THIRD-PARTY",
            "LPP",
            "CONF-REF",
            "EXAM-SCRIPT",
            "EXAM-MARKS",
            "EDU-COURT",
            "SCH4-ADOPTION",
            "NOT-SUBJECT",
        ] {
            assert!(
                !cat.get(code).expect("built in").needs_justification,
                "{code}"
            );
        }
    }

    #[test]
    fn where_each_reason_applies() {
        let cat = Catalogue::built_in();
        let mue = cat.get("MUE").expect("built in");
        assert_eq!(mue.applies_to, AppliesTo::WholeRequest);
        assert!(!mue.applies_to.allows_redaction() && !mue.applies_to.allows_whole_item());
        assert_eq!(mue.kind, ReasonKind::RequestRefusal);
        let ns = cat.get("NOT-SUBJECT").expect("built in");
        assert_eq!(ns.kind, ReasonKind::OutOfScope);
        for code in ["THIRD-PARTY", "NOT-SUBJECT", "LPP", "SERIOUS-HARM"] {
            let a = cat.get(code).expect("built in").applies_to;
            assert!(a.allows_redaction() && a.allows_whole_item(), "{code}");
        }
        let exemptions = cat
            .all()
            .iter()
            .filter(|e| e.kind == ReasonKind::Exemption)
            .count();
        assert_eq!(exemptions, cat.all().len() - 2);
    }

    #[test]
    fn custom_reasons_are_added_and_found() {
        let cat = Catalogue::with_custom(&[
            reason(
                "la-consent",
                "Local authority protocol 4.2",
                "Information the council asked us not to share until it has reviewed it.",
            ),
            reason(
                "POLICE-2",
                "DPA 2018 Sch 2 Pt 1 para 2",
                "Held at police request.",
            ),
        ])
        .expect("valid");
        let e = cat.get("LA-CONSENT").expect("added");
        assert!(e.custom);
        assert_eq!(e.code, "LA-CONSENT");
        assert_eq!(e.citation, "Local authority protocol 4.2");
        assert!(cat.get("police-2").is_some());
        assert_eq!(cat.all().len(), Catalogue::built_in().all().len() + 2);
        let listing = cat.listing();
        assert!(listing.contains("LA-CONSENT"));
        assert!(listing.contains("[from the case file]"));
        assert!(Catalogue::with_custom(&[]).is_ok());
    }

    #[test]
    fn custom_reasons_clashing_with_built_ins_or_each_other_are_refused() {
        let ok = "Some words.";
        let err = |r: Vec<CustomReason>| Catalogue::with_custom(&r).expect_err("should fail");
        assert!(err(vec![reason("LPP", "x", ok)]).contains("built-in reason LPP"));
        assert!(err(vec![reason("third-party", "x", ok)]).contains("THIRD-PARTY"));
        let alias = err(vec![reason("Edu-Harm", "x", ok)]);
        assert!(
            alias.contains("another name for the built-in reason SERIOUS-HARM"),
            "{alias}"
        );
        let dup = err(vec![reason("X-1", "x", ok), reason("x-1", "y", ok)]);
        assert!(dup.contains("another [[reason]]"), "{dup}");
    }

    #[test]
    fn custom_reasons_with_bad_fields_are_refused_all_at_once() {
        let msg = Catalogue::with_custom(&[
            reason("", "cite", "desc"),
            reason("HAS SPACE", "cite", "desc"),
            reason("ÉCOLE", "cite", "desc"),
            reason("1ST", "cite", "desc"),
            reason("TRAIL-", "cite", "desc"),
            reason("OK-ONE", "  ", "desc"),
            reason("OK-TWO", "cite", "\n\t"),
            reason(&"A".repeat(MAX_CODE_LEN + 1), "cite", "desc"),
        ])
        .expect_err("should fail");
        let lines: Vec<&str> = msg.lines().collect();
        assert_eq!(lines.len(), 8, "{msg}");
        assert!(lines[0].contains("number 1") && lines[0].contains("empty"));
        assert!(lines[1].contains("' '"));
        assert!(lines[2].contains("'É'"));
        assert!(lines[3].contains("start with a letter"));
        assert!(lines[4].contains("hyphen"));
        assert!(lines[5].contains("OK-ONE") && lines[5].contains("citation is empty"));
        assert!(lines[6].contains("OK-TWO") && lines[6].contains("description is empty"));
        assert!(lines[7].contains("longer than"));
    }

    #[test]
    fn listing_shows_every_code_citation_and_alias_aligned() {
        let cat = Catalogue::built_in();
        let listing = cat.listing();
        for e in cat.all() {
            assert!(listing.contains(&e.code), "{}", e.code);
            assert!(listing.contains(&e.citation), "{}", e.citation);
            for a in &e.aliases {
                assert!(listing.contains(a.as_str()), "{a}");
            }
        }
        // Every code starts a line and its citation starts in the same column as the others.
        let columns: std::collections::HashSet<usize> = cat
            .all()
            .iter()
            .map(|e| {
                let line = listing
                    .lines()
                    .find(|l| l.starts_with(&format!("{} ", e.code)))
                    .unwrap_or_else(|| panic!("no line for {}", e.code));
                line.find(&e.citation).unwrap_or(0)
            })
            .collect();
        assert_eq!(columns.len(), 1, "citations not aligned: {columns:?}");
        assert!(!columns.contains(&0));
        for line in listing.lines() {
            assert!(line.chars().count() <= WRAP, "too long: {line}");
        }
    }

    #[test]
    fn every_abbreviation_in_a_citation_is_spelled_out_in_the_listing() {
        let cat = Catalogue::built_in();
        let listing = cat.listing();
        let header = listing.split("\nTHIRD-PARTY").next().unwrap_or("");
        for (short, long) in ABBREVIATIONS {
            assert!(header.contains(short) && header.contains(long), "{short}");
        }
        // Ordinary words a citation may use; anything else must be a listed abbreviation, so a
        // new citation with an unexplained short form ("reg", "SI") fails here.
        let plain = [
            "factors", "serious", "harm", "test", "scope", "of", "the", "right", "access",
        ];
        let known: Vec<&str> = ABBREVIATIONS
            .iter()
            .flat_map(|(short, _)| short.split(|c: char| !c.is_ascii_alphanumeric()))
            .filter(|w| !w.is_empty())
            .collect();
        for e in cat.all() {
            for word in e.citation.split(|c: char| !c.is_ascii_alphanumeric()) {
                if word.is_empty() || word.chars().all(|c| c.is_ascii_digit()) {
                    continue;
                }
                assert!(
                    plain.contains(&word) || known.contains(&word),
                    "{}: {word:?} in {:?} is not explained",
                    e.code,
                    e.citation
                );
            }
        }
    }

    #[test]
    fn acronyms_in_notes_are_codes_or_spelled_out_in_the_listing() {
        let cat = Catalogue::built_in();
        let listing = cat.listing();
        let header = listing.split("\nTHIRD-PARTY").next().unwrap_or("");
        for e in cat.all() {
            let note = e.note.as_deref().unwrap_or("");
            for word in note.split(|c: char| !(c.is_alphanumeric() || c == '-')) {
                let caps = word.chars().filter(|c| c.is_uppercase()).count();
                if caps < 2 || cat.get(word).is_some() {
                    continue;
                }
                assert!(
                    ABBREVIATIONS
                        .iter()
                        .any(|(short, _)| short.split(' ').any(|s| s == word))
                        && header.contains(word),
                    "{}: {word:?} in the note is not explained",
                    e.code
                );
            }
        }
    }

    #[test]
    fn descriptions_are_plain_english_for_the_requester() {
        let cat = Catalogue::built_in();
        let codes: Vec<&str> = cat
            .all()
            .iter()
            .flat_map(|e| {
                std::iter::once(e.code.as_str()).chain(e.aliases.iter().map(|a| a.as_str()))
            })
            .collect();
        for e in cat.all() {
            let d = &e.description;
            assert!(
                d.starts_with(|c: char| c.is_ascii_uppercase()),
                "{}",
                e.code
            );
            assert!(d.ends_with('.'), "{}", e.code);
            assert!(d.split_whitespace().count() <= 60, "{} too long", e.code);
            for word in d.split(|c: char| !c.is_alphanumeric()) {
                // An acronym (two or more capitals) is jargon the requester cannot decode.
                let caps = word.chars().filter(|c| c.is_uppercase()).count();
                assert!(caps < 2, "{}: acronym {word:?} in description", e.code);
                // Legal shorthand belongs in the citation, not the letter.
                for short in ["Sch", "Pt", "para", "Art", "GDPR", "DPA"] {
                    assert_ne!(word, short, "{}: {short} in description", e.code);
                }
            }
            for code in &codes {
                assert!(!d.contains(code), "{}: code {code} in description", e.code);
            }
        }
    }

    #[test]
    fn wrap_keeps_words_whole_and_indents_continuations() {
        let mut out = String::new();
        let long = "word ".repeat(40);
        wrap_into(&mut out, "> ", "  ", &long);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.len() > 1);
        assert!(lines[0].starts_with("> word"));
        assert!(lines[1..].iter().all(|l| l.starts_with("  word")));
        assert!(lines.iter().all(|l| l.chars().count() <= WRAP));
        assert_eq!(out.matches("word").count(), 40);
        let mut empty = String::new();
        wrap_into(&mut empty, "x", "y", "   ");
        assert!(empty.is_empty());
    }
}
