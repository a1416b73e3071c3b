//! The words of school documents: incidents, parent contact, safeguarding notes, attendance.
//! Each generator writes paragraphs through a [`Doc`], so every name and identifier it uses is
//! in the ground truth.

use rand::seq::IndexedRandom;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::doc::{Doc, Form};
use crate::ids;
use crate::school::School;

const PLACES: &[&str] = &[
    "the canteen",
    "the top corridor",
    "the field",
    "the bus bay",
    "science block B",
    "the library",
    "the Year 9 toilets",
    "period 4 maths",
    "the lunch queue",
    "PE changing rooms",
];
const STREETS: &[&str] = &[
    "Beech Grove",
    "Otley Road",
    "Harehills Lane",
    "Cardigan Road",
    "Spen Lane",
    "Kirkstall Hill",
    "Moor View",
    "Woodhouse Street",
    "Chapel Terrace",
    "Victoria Road",
];

/// A pupil other than `not`.
pub fn other_pupil(s: &School, rng: &mut ChaCha8Rng, not: &[usize]) -> usize {
    loop {
        let p = *s.pupils.choose(rng).unwrap_or(&0);
        if !not.contains(&p) {
            return p;
        }
    }
}

pub fn contact_of(s: &School, rng: &mut ChaCha8Rng, pupil: usize) -> Option<usize> {
    s.families
        .get(s.people[pupil].family)
        .and_then(|f| f.contacts.choose(rng).copied())
}

pub fn sibling_of(s: &School, pupil: usize) -> Option<usize> {
    s.families
        .get(s.people[pupil].family)
        .and_then(|f| f.pupils.iter().copied().find(|&q| q != pupil))
}

fn phone_line(d: &mut Doc, rng: &mut ChaCha8Rng, who: usize) -> String {
    let number = d.school.people[who].phone.clone();
    let label = ["Tel:", "Mobile:", "mob.", "Tel", "Contact number:"][rng.random_range(0..5)];
    format!("{label} {}", d.id("phone", &number, Some(who)))
}

/// An address with its postcode, attributed to `who`.
pub fn address(d: &mut Doc, rng: &mut ChaCha8Rng, who: usize) -> String {
    let pc = d.school.people[who].postcode.clone();
    let town = if pc.starts_with("LS") {
        "Leeds"
    } else {
        "West Yorkshire"
    };
    format!(
        "{} {}, {town} {}",
        rng.random_range(1..120),
        STREETS.choose(rng).unwrap_or(&"High Street"),
        d.id("postcode", &pc, Some(who))
    )
}

/// An incident: the focus pupil and one or two others, a member of staff, often a parent.
pub fn incident(d: &mut Doc, rng: &mut ChaCha8Rng, focus: usize) -> Vec<String> {
    let s = d.school;
    let other = other_pupil(s, rng, &[focus]);
    let staff = *s.staff.choose(rng).unwrap_or(&0);
    let place = PLACES.choose(rng).unwrap_or(&"class");
    let mut paras = Vec::new();
    let a = d.any_name(rng, focus);
    let b = d.any_name(rng, other);
    let st = d.staff_name(staff);
    paras.push(match rng.random_range(0..4) {
        0 => format!("{a} and {b} were involved in an argument in {place} that turned physical. {st} separated them and both were spoken to."),
        1 => format!("{b} reported that {a} had taken a phone from a bag in {place}. {st} has logged it on CPOMS."),
        2 => format!("There was an incident in {place} at lunch today between {a} and {b}. Witnesses say {b} was pushed first."),
        _ => format!("{st} asked me to pass on that {a} was very upset after {b} posted a photo of them in a group chat."),
    });
    let again = d.name(focus, Form::FirstOnly);
    paras.push(format!(
        "{again} was calm by the end of the lesson. I would like to discuss next steps at Friday's pastoral meeting."
    ));
    if rng.random_bool(0.4) {
        let third = other_pupil(s, rng, &[focus, other]);
        let c = d.any_name(rng, third);
        paras.push(format!(
            "{c} also saw what happened and has written a statement."
        ));
    }
    if rng.random_bool(0.5) {
        if let Some(parent) = contact_of(s, rng, focus) {
            let pn = d.name(parent, Form::Full);
            let ph = phone_line(d, rng, parent);
            paras.push(format!("Please call {pn} this afternoon ({ph})."));
        }
    }
    paras
}

/// A member of staff writing to a parent about their child.
pub fn to_parent(
    d: &mut Doc,
    rng: &mut ChaCha8Rng,
    child: usize,
    parent: usize,
    staff: usize,
) -> Vec<String> {
    let s = d.school;
    let title = s.people[parent].title;
    let psur = s.people[parent].surname.clone();
    let mut paras = vec![format!("Dear {title} {psur},")];
    let c = d.any_name(rng, child);
    paras.push(match rng.random_range(0..4) {
        0 => format!("I am writing about {c}'s attendance this half term, which has fallen to {}%. Could you let me know if there is anything we should be aware of?", rng.random_range(78..92)),
        1 => format!("Thank you for coming in on Tuesday to talk about {c}. As agreed, we will review the support plan after half term."),
        2 => format!("{c} has been doing really well in English and was awarded a headteacher's commendation this week."),
        _ => format!("I wanted to let you know that {c} will be in detention on Wednesday after school for repeated lateness."),
    });
    if rng.random_bool(0.3) {
        let o = other_pupil(s, rng, &[child]);
        let on = d.any_name(rng, o);
        paras.push(format!("We have also spoken to {on} and their family, and the two will sit apart in science for now."));
    }
    let sig = d.staff_name(staff);
    let role = s.people[staff].role_label;
    let ph = d.id("phone", &s.people[staff].phone.clone(), Some(staff));
    paras.push(format!(
        "Kind regards,\n{sig}\n{role}, {}\nTel: {ph}",
        s.name
    ));
    paras
}

/// A parent writing to school.
pub fn from_parent(d: &mut Doc, rng: &mut ChaCha8Rng, child: usize, parent: usize) -> Vec<String> {
    let s = d.school;
    let mut paras = vec!["Hello,".to_string()];
    let c = d.any_name(rng, child);
    paras.push(match rng.random_range(0..3) {
        0 => format!("{c} won't be in today, they have a temperature. Sorry for the short notice."),
        1 => format!("Can someone ring me about what happened yesterday? {c} came home really upset and won't say why."),
        _ => format!("Please could you update our details for {c}. Our new address is {}.", address(d, rng, parent)),
    });
    if rng.random_bool(0.35) {
        let o = other_pupil(s, rng, &[child]);
        let on = d.any_name(rng, o);
        paras.push(format!("I think it has something to do with {on} again."));
    }
    let me = d.name(parent, Form::Full);
    let ph = phone_line(d, rng, parent);
    paras.push(format!("Thanks,\n{me}\n{ph}"));
    paras
}

/// A safeguarding chronology entry: the pupil, a sibling, the parents, identifiers.
pub fn safeguarding(d: &mut Doc, rng: &mut ChaCha8Rng, pupil: usize) -> Vec<String> {
    let s = d.school;
    let p = &s.people[pupil];
    let (upn, nhs, dob) = (
        p.upn.clone().unwrap_or_default(),
        p.nhs.clone().unwrap_or_default(),
        p.dob.clone().unwrap_or_default(),
    );
    let mut paras = Vec::new();
    let n = d.name(pupil, Form::Full);
    let upn = d.id("upn", &upn, Some(pupil));
    let dob = d.id("dob", &dob, Some(pupil));
    let nhs = d.id("nhs", &ids::nhs_spaced(&nhs), Some(pupil));
    paras.push(format!(
        "Pupil: {n}   UPN: {upn}   DOB: {dob}   NHS No: {nhs}"
    ));
    let home = address(d, rng, pupil);
    paras.push(format!("Home address: {home}"));
    let again = d.name(pupil, Form::FirstOnly);
    let mut body = format!("{again} disclosed to their form tutor that things at home have been difficult since the summer.");
    if let Some(sib) = sibling_of(s, pupil) {
        let sn = d.any_name(rng, sib);
        body.push_str(&format!(
            " Their sibling {sn} has also been absent on several Mondays."
        ));
    }
    if let Some(parent) = contact_of(s, rng, pupil) {
        let pn = d.name(parent, Form::Full);
        let ph = phone_line(d, rng, parent);
        body.push_str(&format!(
            " {pn} was contacted ({ph}) and agreed to a meeting with the DSL."
        ));
        if rng.random_bool(0.4) {
            let ni = s.people[parent].nino.clone().unwrap_or_default();
            let ni = d.id("nino", &ni, Some(parent));
            body.push_str(&format!(
                " Free school meals application checked, NI number: {ni}."
            ));
        }
        if rng.random_bool(0.3) {
            let e = s.people[parent].email.clone();
            let e = d.id("email", &e, Some(parent));
            body.push_str(&format!(" Follow-up sent to {e}."));
        }
    }
    paras.push(body);
    if rng.random_bool(0.5) {
        let o = other_pupil(s, rng, &[pupil]);
        let on = d.any_name(rng, o);
        let odob = s.people[o].dob.clone().unwrap_or_default();
        let odob = d.id("dob", &odob, Some(o));
        paras.push(format!(
            "A friend, {on} (date of birth {odob}), was present and supported the disclosure."
        ));
    }
    let dsl = s.staff.get(1).copied().unwrap_or(0);
    let dn = d.staff_name(dsl);
    paras.push(format!(
        "Actions: referral discussed with {dn} (DSL). Review in two weeks."
    ));
    paras
}

/// Routine staff mail with no pupil in it.
pub fn routine(d: &mut Doc, rng: &mut ChaCha8Rng) -> Vec<String> {
    let s = d.school;
    let staff = *s.staff.choose(rng).unwrap_or(&0);
    let topics = [
        "The INSET day agenda is now on the shared drive.",
        "Reminder: reports for Year 10 are due by Friday.",
        "The photocopier on the second floor is out of toner again.",
        "Can everyone check their duty rota for next week?",
        "Fire drill at 10:15 tomorrow, please take registers out with you.",
    ];
    let sig = d.staff_name(staff);
    vec![
        topics.choose(rng).unwrap_or(&"").to_string(),
        format!("Thanks,\n{sig}"),
    ]
}

/// A behaviour-log line for a table: date, pupil, what happened, who logged it.
pub fn log_line(d: &mut Doc, rng: &mut ChaCha8Rng, pupil: usize) -> (String, String, String) {
    let s = d.school;
    let form = if rng.random_bool(0.5) {
        Form::UpperReversed
    } else {
        Form::Reversed
    };
    let name = d.name(pupil, form);
    let what = match rng.random_range(0..6) {
        0 => "Disruption in lesson; moved seats".to_string(),
        1 => "Late to school (3rd time this week)".to_string(),
        2 => "No homework".to_string(),
        3 => {
            let o = other_pupil(s, rng, &[pupil]);
            let on = d.name(o, Form::Full);
            format!("Argument with {on} at break")
        }
        4 => "Uniform: no blazer".to_string(),
        _ => "Positive: helped a visitor".to_string(),
    };
    let staff = *s.staff.choose(rng).unwrap_or(&0);
    let st = s.people[staff].clone();
    // Staff are logged as title and surname: not a roster form, so not recorded.
    (name, what, format!("{} {}", st.title, st.surname))
}
