//! The index and cover letter (`0000-index.pdf`): the letter to the requester with the
//! supplementary information UK GDPR Art 15 requires, the list of documents, what was withheld
//! and why in plain English, and how the searches were made. It names documents by number,
//! kind and date only and never carries redacted text.

use std::collections::BTreeMap;

use crate::case::casefile::Case;
use crate::detect::exemptions::Catalogue;
use crate::render::{Block, Document, Span};

pub struct Listed {
    pub file: String,
    pub description: String,
    pub pages: usize,
}

pub struct NotSent {
    pub description: String,
    /// Reason code for withheld items; `None` for items provided on paper.
    pub reason: Option<String>,
}

pub struct CoverInput<'a> {
    pub case: &'a Case,
    pub catalogue: &'a Catalogue,
    /// The letter's date (the day of sealing).
    pub date: String,
    pub documents: Vec<Listed>,
    pub not_sent: Vec<NotSent>,
    /// Redactions applied, by reason code.
    pub redactions_by_reason: BTreeMap<String, usize>,
    pub items_searched: usize,
}

fn p(text: impl Into<String>) -> Block {
    Block::Paragraph(vec![Span::Text(text.into())])
}

pub fn cover(input: &CoverInput) -> Document {
    let f = &input.case.file;
    let l = &f.letter;
    let mut b = vec![
        Block::Title(format!("{}: your subject access request", l.school)),
        Block::Fields(vec![
            ("Our reference".into(), vec![Span::Text(f.reference.clone())]),
            ("Date".into(), vec![Span::Text(input.date.clone())]),
            ("To".into(), vec![Span::Text(f.request.requester.clone())]),
            (
                "Request received".into(),
                vec![Span::Text(f.request.received.to_string())],
            ),
            (
                "Information about".into(),
                vec![Span::Text(f.subject.name.clone())],
            ),
        ]),
        p(format!("Dear {},", f.request.requester)),
        p(format!(
            "Thank you for your request for the personal data {} holds about {}. This pack contains \
             copies of that information, an explanation of anything we have removed or withheld and \
             why, and the further information the UK GDPR (Article 15) entitles you to.",
            l.school, f.subject.name
        )),
        p(
            "Where information about other people appears in the documents (other pupils, their \
             families, or anyone else who is not the subject of the request), it has been removed \
             and a black box marks the place, labelled with the reason. The boxes are all the same \
             size, whatever was removed. The reasons are explained below.",
        ),
        Block::Heading("The documents".into()),
    ];
    let total_pages: usize = input.documents.iter().map(|d| d.pages).sum();
    b.push(p(format!(
        "{} document(s), {} page(s) in all, numbered in the order below. Every page carries our \
         reference and its page number.",
        input.documents.len(),
        total_pages
    )));
    b.push(Block::Table {
        headings: vec!["File".into(), "What it is".into(), "Pages".into()],
        rows: input
            .documents
            .iter()
            .map(|d| {
                vec![
                    vec![Span::Text(d.file.clone())],
                    vec![Span::Text(d.description.clone())],
                    vec![Span::Text(if d.pages == 0 {
                        "-".into()
                    } else {
                        d.pages.to_string()
                    })],
                ]
            })
            .collect(),
    });
    if !input.not_sent.is_empty() {
        b.push(Block::Heading(
            "Information not included in this pack".into(),
        ));
        b.push(Block::Table {
            headings: vec!["Item".into(), "Why".into()],
            rows: input
                .not_sent
                .iter()
                .map(|n| {
                    let why = match &n.reason {
                        Some(code) => match input.catalogue.get(code) {
                            Some(e) => format!("Withheld ({code}): {}", e.description),
                            None => format!("Withheld ({code})"),
                        },
                        None => "Provided to you on paper, separately.".into(),
                    };
                    vec![
                        vec![Span::Text(n.description.clone())],
                        vec![Span::Text(why)],
                    ]
                })
                .collect(),
        });
    }
    if !input.redactions_by_reason.is_empty() {
        b.push(Block::Heading("Why information was removed".into()));
        b.push(Block::Table {
            headings: vec![
                "Label on the box".into(),
                "What it means".into(),
                "Law".into(),
            ],
            rows: input
                .redactions_by_reason
                .keys()
                .map(|code| {
                    let (desc, cite) = input
                        .catalogue
                        .get(code)
                        .map(|e| (e.description.to_string(), e.citation.to_string()))
                        .unwrap_or_default();
                    vec![
                        vec![Span::Text(code.clone())],
                        vec![Span::Text(desc)],
                        vec![Span::Text(cite)],
                    ]
                })
                .collect(),
        });
    }
    b.push(Block::Heading("How we searched".into()));
    let (from, to) = input.case.date_range();
    b.push(Block::Bullets(vec![
        vec![Span::Text(format!(
            "Staff email, management information system reports and shared files from {} to {}.",
            from.map_or("the start of the records".to_string(), |d| d.to_string()),
            to
        ))],
        vec![Span::Text(format!(
            "Searched for: {}.",
            f.search.terms.join("; ")
        ))],
        vec![Span::Text(format!(
            "{} item(s) were searched; each was included or left out with a recorded reason.",
            input.items_searched
        ))],
        vec![Span::Text(
            "Messages to or from your child's own school account are already theirs and are not \
             repeated here."
                .into(),
        )],
    ]));
    b.push(Block::Heading(
        "Further information (UK GDPR Article 15)".into(),
    ));
    b.push(Block::Fields(vec![
        (
            "Why we hold it".into(),
            vec![Span::Text(l.purposes.clone())],
        ),
        (
            "What we hold".into(),
            vec![Span::Text(l.categories.clone())],
        ),
        (
            "Who it is shared with".into(),
            vec![Span::Text(l.recipients.clone())],
        ),
        (
            "How long we keep it".into(),
            vec![Span::Text(l.retention.clone())],
        ),
        (
            "Where it came from".into(),
            vec![Span::Text(l.source.clone())],
        ),
        (
            "Automated decisions".into(),
            vec![Span::Text(l.automated_decisions.clone())],
        ),
        (
            "Transfers abroad".into(),
            vec![Span::Text(l.transfers.clone())],
        ),
        (
            "Your rights".into(),
            vec![Span::Text(
                "You can ask us to correct information that is wrong, to delete it, to restrict \
                 how we use it, or object to our using it. Please write to the Data Protection \
                 Officer."
                    .into(),
            )],
        ),
        (
            "Complaints".into(),
            vec![Span::Text(format!(
                "If you are unhappy with how we handled your request, please contact our Data \
                 Protection Officer: {}. You also have the right to complain to the Information \
                 Commissioner's Office: ico.org.uk/make-a-complaint, telephone 0303 123 1113.",
                l.dpo_contact
            ))],
        ),
    ]));
    b.push(p(
        "The documents are in a password-protected zip file. The password is sent to you \
         separately. Please keep this information safe.",
    ));
    b.push(p("Yours sincerely,"));
    b.push(p(l.signatory.clone()));
    b.push(p(l.school.clone()));
    Document { blocks: b }
}
