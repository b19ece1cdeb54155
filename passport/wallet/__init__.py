"""The learner's wallet: accounts, stored credentials, claiming offers, sharing, presentations."""
