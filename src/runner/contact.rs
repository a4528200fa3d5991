//! What each step of a contact question makes of its answer: the consent, the method, the
//! number or address typed. Plain functions, so the rule that a refusal carries no details is
//! kept (and tested) here rather than in the control's event handlers.

use manyi_core::Question;
use manyi_core::model::{Contact, ContactMethod};

/// The answer after the respondent says yes or no. A no drops whatever was chosen or typed
/// before it: details the customer then declined to give are not kept, not even in the draft.
/// A yes to a question that offers one method chooses it, as there is nothing to ask.
pub fn consent(question: &Question, agreed: bool) -> Contact {
    if !agreed {
        return Contact::declined();
    }
    let method = match question.contact_methods() {
        [only] => Some(*only),
        _ => None,
    };
    Contact {
        agreed: true,
        method,
        value: None,
    }
}

/// The answer after the respondent chooses `method`: a number typed for another method is
/// no address, so the value goes with a change of method.
pub fn choose_method(current: &Contact, method: ContactMethod) -> Contact {
    let value = match current.method == Some(method) {
        true => current.value.clone(),
        false => None,
    };
    Contact {
        agreed: true,
        method: Some(method),
        value,
    }
}

/// The answer as the respondent types `text`: kept without the spaces around it (the field
/// itself keeps what was typed), and none while the field is blank.
pub fn typed(current: &Contact, text: &str) -> Contact {
    let text = text.trim();
    Contact {
        value: (!text.is_empty()).then(|| text.to_owned()),
        ..current.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(methods: &str) -> Question {
        let json = format!(
            r#"{{"id": "c", "kind": "contact", "text": "Contact?", "methods": {methods}}}"#
        );
        serde_json::from_str(&json).expect("the question reads")
    }

    #[test]
    fn a_no_drops_every_detail_and_a_yes_starts_empty() {
        let q = question("[]");
        assert_eq!(consent(&q, false), Contact::declined());
        let yes = consent(&q, true);
        assert_eq!((yes.agreed, yes.method, yes.value), (true, None, None));
        let only_email = consent(&question(r#"["email"]"#), true);
        assert_eq!(only_email.method, Some(ContactMethod::Email));
    }

    #[test]
    fn another_method_clears_the_value_and_typing_trims_it() {
        let q = question("[]");
        let phone = choose_method(&consent(&q, true), ContactMethod::Phone);
        let typed_in = typed(&phone, " 138 1234 5678 ");
        assert_eq!(typed_in.value.as_deref(), Some("138 1234 5678"));
        assert_eq!(
            choose_method(&typed_in, ContactMethod::Phone),
            typed_in,
            "choosing the same method again keeps the number"
        );
        let email = choose_method(&typed_in, ContactMethod::Email);
        assert_eq!(
            (email.method, email.value),
            (Some(ContactMethod::Email), None)
        );
        assert_eq!(typed(&typed_in, "   ").value, None);
        assert_eq!(
            consent(&q, false),
            Contact::declined(),
            "and no drops it all"
        );
    }
}
