//! Path modifiers: items that rewrite the paths above them in their group (trim paths; repeaters,
//! round corners and merge paths plug in here).

pub(crate) mod trim;
