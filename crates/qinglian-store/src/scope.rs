//! Data scope: the org subtrees a user may see. Every business query filters through it.

/// A user's data scope, as the materialised paths of the org subtrees it grants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    paths: Vec<String>,
}

impl Scope {
    /// A scope over the given org paths (each like "/1/4/"). Nested paths are folded.
    pub fn new(mut paths: Vec<String>) -> Scope {
        paths.sort();
        paths.dedup();
        let mut folded: Vec<String> = Vec::new();
        for p in paths {
            if !folded.iter().any(|f| p.starts_with(f.as_str())) {
                folded.push(p);
            }
        }
        Scope { paths: folded }
    }

    /// The empty scope: sees nothing.
    pub fn none() -> Scope {
        Scope::default()
    }

    /// The granted subtree roots' paths.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    /// True if nothing is granted.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// True if an org with this path is inside the scope.
    pub fn contains_path(&self, path: &str) -> bool {
        self.paths.iter().any(|p| path.starts_with(p.as_str()))
    }

    /// Append a SQL condition restricting `column` (an org path column) to this scope.
    pub fn push_filter(&self, q: &mut crate::sql::Query, column: &str) {
        if self.paths.is_empty() {
            q.push(" AND 1 = 0");
            return;
        }
        q.push(" AND (");
        for (i, p) in self.paths.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            // Paths contain only digits and slashes, so no LIKE escaping is needed.
            q.push(column);
            q.push(" LIKE ");
            q.bind_text(format!("{p}%"));
        }
        q.push(")");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_paths_fold_and_containment_works() {
        let s = Scope::new(vec!["/1/4/".into(), "/1/4/9/".into(), "/1/7/".into()]);
        assert_eq!(s.paths(), &["/1/4/".to_string(), "/1/7/".to_string()]);
        assert!(s.contains_path("/1/4/9/12/"));
        assert!(
            !s.contains_path("/1/47/"),
            "a sibling with a common digit prefix is outside"
        );
        assert!(!Scope::none().contains_path("/1/"));
    }
}
