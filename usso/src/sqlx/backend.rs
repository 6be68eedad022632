//! The databases the builders run on directly.

use ::sqlx::Database;

/// A database the builders run on directly: SQLite (feature `sqlx`) and
/// Postgres (feature `postgres`). Sealed.
///
/// The builders themselves work on any [`Database`]; elsewhere run the
/// result of `into_builder()` yourself.
pub trait Backend: Database + sealed::Sealed {
    /// Shortens the lifetime of bound arguments (they are covariant).
    #[doc(hidden)]
    fn shorten_arguments<'a: 'q, 'q>(args: Self::Arguments<'a>) -> Self::Arguments<'q>;

    /// The number of rows a statement changed.
    #[doc(hidden)]
    fn rows_affected(result: &Self::QueryResult) -> u64;
}

mod sealed {
    pub trait Sealed {}
}

impl sealed::Sealed for ::sqlx::Sqlite {}

impl Backend for ::sqlx::Sqlite {
    fn shorten_arguments<'a: 'q, 'q>(
        args: ::sqlx::sqlite::SqliteArguments<'a>,
    ) -> ::sqlx::sqlite::SqliteArguments<'q> {
        args
    }

    fn rows_affected(result: &::sqlx::sqlite::SqliteQueryResult) -> u64 {
        result.rows_affected()
    }
}

#[cfg(feature = "postgres")]
impl sealed::Sealed for ::sqlx::Postgres {}

#[cfg(feature = "postgres")]
impl Backend for ::sqlx::Postgres {
    fn shorten_arguments<'a: 'q, 'q>(
        args: ::sqlx::postgres::PgArguments,
    ) -> ::sqlx::postgres::PgArguments {
        args
    }

    fn rows_affected(result: &::sqlx::postgres::PgQueryResult) -> u64 {
        result.rows_affected()
    }
}
