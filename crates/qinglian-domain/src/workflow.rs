//! Workflows as tables (issue #11 §2).
//!
//! Every module that moves an item through states (findings' checking, reports, clues, cases,
//! opinions, rectification tasks) declares its states and actions as enums and its workflow as
//! one table of [`Transition`]s: from which state an action leads to which state, which
//! permission it needs, which time limit of [`crate::rules::RULES`] it opens or closes, who acts
//! next, and the Chinese label. Handlers never write their own state guards: the store's one
//! transition function checks the table ([`Workflow::check`]), so no transition is reachable
//! without its permission, and every module gets the same messages, audit and notifications.

use std::fmt::Debug;

/// The states of one workflow.
pub trait State: Copy + Eq + Debug + 'static {
    /// Every state, in workflow order.
    const ALL: &'static [Self];
    /// Stable code stored in the database.
    fn code(self) -> &'static str;
    /// Chinese label.
    fn label(self) -> &'static str;
    /// The state with this stored code.
    fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.code() == code)
    }
}

/// The actions of one workflow.
pub trait Action: Copy + Eq + Debug + 'static {
    /// Every action.
    const ALL: &'static [Self];
    /// Stable code (audit action suffix, URLs).
    fn code(self) -> &'static str;
    /// Chinese label (buttons, history).
    fn label(self) -> &'static str;
    /// The action with this stored code.
    fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.code() == code)
    }
}

/// What a transition does to the item's time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineEffect {
    /// Nothing.
    None,
    /// Opens a deadline under this rule of [`crate::rules::RULES`].
    Open(&'static str),
    /// Closes the item's open deadline (the step it was waiting for is done).
    Close,
    /// Closes the item's open deadline and opens one under this rule (the next step's limit,
    /// e.g. a petition's 60-day handling limit replacing its 15-day routing limit).
    Replace(&'static str),
}

/// One row of a workflow table.
#[derive(Debug, Clone, Copy)]
pub struct Transition<S: State, A: Action> {
    /// The state the action is taken from.
    pub from: S,
    /// The action.
    pub action: A,
    /// The state it leads to.
    pub to: S,
    /// The permission the actor needs (a code of the permission catalogue).
    pub permission: &'static str,
    /// What it does to the time limit.
    pub deadline: DeadlineEffect,
    /// Who acts next and must be told: holders of this permission (in the org the module
    /// names), or nobody.
    pub next: Option<&'static str>,
}

/// A workflow: its name and its table.
#[derive(Debug)]
pub struct Workflow<S: State, A: Action> {
    /// Stable name (`data_supervision.finding`), stored with every workflow event.
    pub name: &'static str,
    /// What the item is called in messages (疑点, 信访件…).
    pub object_label: &'static str,
    /// The table.
    pub transitions: &'static [Transition<S, A>],
}

/// Why an action cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The table has no such action from the item's current state.
    #[error("该{object}当前状态为“{state}”，不能{action}")]
    NotFrom {
        /// Object label.
        object: &'static str,
        /// Current state's label.
        state: &'static str,
        /// Action label.
        action: &'static str,
    },
    /// The actor lacks the permission the table requires.
    #[error("您没有权限执行“{action}”")]
    Forbidden {
        /// Action label.
        action: &'static str,
        /// The missing permission.
        permission: &'static str,
    },
}

impl<S: State, A: Action> Workflow<S, A> {
    /// The row for `action` from `from`, if any.
    pub fn find(&self, from: S, action: A) -> Option<&Transition<S, A>> {
        self.transitions.iter().find(|t| t.from == from && t.action == action)
    }

    /// The actions that lead out of `from`.
    pub fn actions_from(&self, from: S) -> impl Iterator<Item = &Transition<S, A>> {
        self.transitions.iter().filter(move |t| t.from == from)
    }

    /// The actions out of `from` the actor may take (what buttons to show).
    pub fn allowed_from<'a>(
        &'a self,
        from: S,
        can: &'a dyn Fn(&str) -> bool,
    ) -> impl Iterator<Item = &'a Transition<S, A>> {
        self.actions_from(from).filter(move |t| can(t.permission))
    }

    /// Checks an action against the table: it must lead out of `from`, and the actor must hold
    /// its permission. The state is checked first, so a stale page learns what happened.
    pub fn check(&self, from: S, action: A, can: &dyn Fn(&str) -> bool) -> Result<&Transition<S, A>, WorkflowError> {
        let t = self.find(from, action).ok_or(WorkflowError::NotFrom {
            object: self.object_label,
            state: from.label(),
            action: action.label(),
        })?;
        if !can(t.permission) {
            return Err(WorkflowError::Forbidden {
                action: action.label(),
                permission: t.permission,
            });
        }
        Ok(t)
    }

    /// Every permission the table uses (for the catalogue check).
    pub fn permissions(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = self.transitions.iter().map(|t| t.permission).collect();
        v.extend(self.transitions.iter().filter_map(|t| t.next));
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Every rule id the table opens deadlines under (for the rules check).
    pub fn rules(&self) -> Vec<&'static str> {
        self.transitions
            .iter()
            .filter_map(|t| match t.deadline {
                DeadlineEffect::Open(r) | DeadlineEffect::Replace(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    /// Problems with the table itself: a (state, action) pair listed twice, or a rule id that
    /// is not in [`crate::rules::RULES`]. Empty when the table is sound.
    pub fn lint(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (i, a) in self.transitions.iter().enumerate() {
            if self.transitions[..i]
                .iter()
                .any(|b| b.from == a.from && b.action == a.action)
            {
                problems.push(format!("{}: {:?} --{:?}--> listed twice", self.name, a.from, a.action));
            }
        }
        for r in self.rules() {
            if crate::rules::rule(r).is_none() {
                problems.push(format!("{}: rule {r} is not in rules::RULES", self.name));
            }
        }
        problems
    }
}

/// Proves, for one workflow, that every transition is reachable with its permission and with
/// nothing else, and that no action is possible from a state the table does not list it for.
/// Returns the problems found (empty = sound). Used by every workflow's test.
pub fn prove_guarded<S: State, A: Action>(w: &Workflow<S, A>) -> Vec<String> {
    let mut problems = w.lint();
    for &from in S::ALL {
        for &action in A::ALL {
            let row = w.find(from, action);
            // Nobody may take an action the table does not list.
            if row.is_none() && w.check(from, action, &|_| true).is_ok() {
                problems.push(format!("{}: {from:?} --{action:?}--> allowed without a row", w.name));
            }
            if let Some(t) = row {
                if w.check(from, action, &|_| false).is_ok() {
                    problems.push(format!(
                        "{}: {from:?} --{action:?}--> allowed without any permission",
                        w.name
                    ));
                }
                // Every permission but the right one is refused.
                let others = |p: &str| p != t.permission;
                if w.check(from, action, &others).is_ok() {
                    problems.push(format!(
                        "{}: {from:?} --{action:?}--> allowed without {}",
                        w.name, t.permission
                    ));
                }
                let only = |p: &str| p == t.permission;
                if w.check(from, action, &only).map(|x| x.to) != Ok(t.to) {
                    problems.push(format!(
                        "{}: {from:?} --{action:?}--> refused with {}",
                        w.name, t.permission
                    ));
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Door {
        Shut,
        Open,
    }
    impl State for Door {
        const ALL: &'static [Door] = &[Door::Shut, Door::Open];
        fn code(self) -> &'static str {
            match self {
                Door::Shut => "shut",
                Door::Open => "open",
            }
        }
        fn label(self) -> &'static str {
            match self {
                Door::Shut => "关闭",
                Door::Open => "打开",
            }
        }
    }
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Push {
        In,
        Out,
    }
    impl Action for Push {
        const ALL: &'static [Push] = &[Push::In, Push::Out];
        fn code(self) -> &'static str {
            match self {
                Push::In => "in",
                Push::Out => "out",
            }
        }
        fn label(self) -> &'static str {
            match self {
                Push::In => "推开",
                Push::Out => "关上",
            }
        }
    }
    static DOOR: Workflow<Door, Push> = Workflow {
        name: "test.door",
        object_label: "门",
        transitions: &[
            Transition {
                from: Door::Shut,
                action: Push::In,
                to: Door::Open,
                permission: "door.open",
                deadline: DeadlineEffect::Open("report_accept_notice"),
                next: None,
            },
            Transition {
                from: Door::Open,
                action: Push::Out,
                to: Door::Shut,
                permission: "door.close",
                deadline: DeadlineEffect::Close,
                next: Some("door.open"),
            },
        ],
    };

    #[test]
    fn the_table_decides_state_then_permission() {
        assert_eq!(prove_guarded(&DOOR), Vec::<String>::new());
        assert_eq!(Door::parse("open"), Some(Door::Open));
        assert_eq!(Door::parse("ajar"), None);
        let e = DOOR.check(Door::Open, Push::In, &|_| true).unwrap_err();
        assert_eq!(e.to_string(), "该门当前状态为“打开”，不能推开");
        let e = DOOR.check(Door::Shut, Push::In, &|p| p == "door.close").unwrap_err();
        assert_eq!(e.to_string(), "您没有权限执行“推开”");
        assert_eq!(
            DOOR.check(Door::Shut, Push::In, &|p| p == "door.open").unwrap().to,
            Door::Open
        );
        assert_eq!(DOOR.permissions(), vec!["door.close", "door.open"]);
        let can = |p: &str| p == "door.close";
        assert_eq!(DOOR.allowed_from(Door::Open, &can).count(), 1);
        assert_eq!(DOOR.allowed_from(Door::Shut, &can).count(), 0);
    }

    #[test]
    fn a_broken_table_is_reported() {
        static BROKEN: Workflow<Door, Push> = Workflow {
            name: "test.broken",
            object_label: "门",
            transitions: &[
                Transition {
                    from: Door::Shut,
                    action: Push::In,
                    to: Door::Open,
                    permission: "door.open",
                    deadline: DeadlineEffect::Open("no_such_rule"),
                    next: None,
                },
                Transition {
                    from: Door::Shut,
                    action: Push::In,
                    to: Door::Shut,
                    permission: "door.open",
                    deadline: DeadlineEffect::None,
                    next: None,
                },
            ],
        };
        let p = prove_guarded(&BROKEN);
        assert!(p.iter().any(|m| m.contains("listed twice")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("no_such_rule")), "{p:?}");
    }
}
