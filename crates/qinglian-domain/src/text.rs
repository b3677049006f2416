//! Length limits of text fields: one table, one message (issue #16 §1).
//!
//! Every text a user can type has a server-side limit, counted in characters (a Chinese
//! character is one). Forms, the API and imports check against the same [`Limit`] and give the
//! same message, naming the field; nothing is cut silently.

/// What kind of text a field holds, and so how long it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// A person's name (姓名): 30.
    PersonName,
    /// A user's display name (姓名 of an account): 30.
    UserName,
    /// A unit's name: 100.
    OrgName,
    /// A post (职务): 60.
    Post,
    /// A rank (职级): 30.
    Rank,
    /// A phone number: 30.
    Phone,
    /// A code (unified social credit code, internal code): 50.
    Code,
    /// A title (a role's name, a subject): 100.
    Title,
    /// A short note (a reason, an instruction): 1,000.
    Note,
    /// A long explanation (核查情况说明, 复核说明): 4,000.
    Explanation,
    /// An address (通讯地址, 地点): 200.
    Address,
    /// The matter of a report as the reporter writes it (反映内容): 10,000.
    Content,
}

impl Limit {
    /// The most characters allowed.
    pub const fn max(self) -> usize {
        match self {
            Limit::PersonName | Limit::UserName | Limit::Rank | Limit::Phone => 30,
            Limit::Code => 50,
            Limit::Post => 60,
            Limit::OrgName | Limit::Title => 100,
            Limit::Note => 1_000,
            Limit::Address => 200,
            Limit::Explanation => 4_000,
            Limit::Content => 10_000,
        }
    }
}

/// Checks one field: `Err((field, message))` naming the field by its Chinese `label` when the
/// text is longer than its limit.
pub fn check(field: &'static str, label: &str, value: &str, limit: Limit) -> Result<(), (&'static str, String)> {
    let n = value.trim().chars().count();
    if n > limit.max() {
        Err((
            field,
            format!("{label}不能超过{}个字（现有{n}个字），请删减后再提交", limit.max()),
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_over_its_limit_is_named_with_both_counts() {
        assert!(check("name", "姓名", &"张".repeat(30), Limit::UserName).is_ok());
        let (f, m) = check("name", "姓名", &"张".repeat(100), Limit::UserName).unwrap_err();
        assert_eq!(f, "name");
        assert_eq!(m, "姓名不能超过30个字（现有100个字），请删减后再提交");
        // Surrounding spaces do not count.
        assert!(check("note", "说明", &format!("  {}  ", "字".repeat(1000)), Limit::Note).is_ok());
        assert!(Limit::Explanation.max() > Limit::Note.max());
    }
}
