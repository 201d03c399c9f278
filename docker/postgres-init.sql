-- Each gateway keeps its own small state in its own database.
CREATE DATABASE ferry_gateway_a OWNER ferry;
CREATE DATABASE ferry_gateway_b OWNER ferry;
