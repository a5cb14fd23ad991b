"""The attack corpus: each test is a dishonest vendor's attempt and the code that must stop it."""
