"""The slate's money: weekly cash flows (``flows``), periods with a fiscal-year start
(``periods``) and the finance exports (``export``)."""
