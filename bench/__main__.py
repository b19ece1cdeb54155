"""Run every benchmark; each prints ``BENCH <name> <ops_per_s> <ratio_to_raw_ed25519_verify>``."""

from __future__ import annotations

from bench import issue_cohort, passport_pages, portal_search, proofs, request_costs, verify_api

if __name__ == "__main__":
    proofs.main()
    verify_api.main()
    request_costs.main()
    issue_cohort.main(["--workers", "2"])
    portal_search.main([])
    passport_pages.main()
