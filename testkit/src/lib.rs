//! The one test kit of the faas tests (being assembled).
