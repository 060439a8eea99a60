/*
 * answers.h - error bodies as the contract's reference page shows them
 * (../shared/helpdesk-api.md), shared by test_api.c and test_reply.c.
 */
#ifndef GW_TEST_ANSWERS_H
#define GW_TEST_ANSWERS_H

#define J400 "{\"error\":\"Bad Request\",\"message\":\"The request contains " \
	"invalid parameters or malformed data\",\"code\":400,\"details\":" \
	"[{\"field\":\"body_html\",\"message\":\"Invalid HTML\"}]}"
#define J401 "{\"error\":\"Unauthorized\",\"message\":\"Authentication " \
	"required. Please provide a valid API token\",\"code\":401}"
#define J403 "{\"error\":\"Forbidden\",\"message\":\"You don't have " \
	"permission to access this resource\",\"code\":403"
#define J429 "{\"error\":\"Too Many Requests\",\"message\":\"Rate limit " \
	"exceeded. Please try again later\",\"code\":429,\"retryAfter\":3600}"
#define HTML500 "<!DOCTYPE html><html><head><title>500</title></head>" \
	"<body><h1>Internal Server Error</h1></body></html>"

#endif /* GW_TEST_ANSWERS_H */
