//! 职级: the ranks of the roster, in their official order (highest first). Lists sorted by
//! 职级 follow this order, not the text.

/// Every rank the roster form offers, highest first; 其他 last.
pub const RANKS: &[&str] = &[
    "厅级正职",
    "厅级副职",
    "处级正职",
    "处级副职",
    "科级正职",
    "科级副职",
    "一级主任科员",
    "二级主任科员",
    "一级科员",
    "二级科员",
    "办事员",
    "其他",
];
