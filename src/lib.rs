//! Examples and integration tests of the usso workspace. Nothing here is
//! published; depend on the `usso` crate.
