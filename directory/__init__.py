"""The council's directory: partner organisations and their services, kept checked,
read from and published as Open Referral UK 3.0 (``directory.oruk``)."""
