"""Staff health declarations (健康申报), work status and sick absence (因病缺勤登记追查)."""
