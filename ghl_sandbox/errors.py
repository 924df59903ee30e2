"""GHL error bodies (common-schemas.json and BEHAVIOUR 6) as exceptions the routes raise."""
from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, body):
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


def bad_request(message: str) -> ApiError:
    return ApiError(400, {"statusCode": 400, "message": message, "error": "Bad Request"})


def unprocessable(messages: list[str], http_status: int = 422) -> ApiError:
    return ApiError(http_status, {"statusCode": 422, "message": list(messages), "error": "Unprocessable Entity"})


def contact_not_found(contact_id: str) -> ApiError:
    # Observed live: an unknown contact id is a 400, not a 404 (RocketRide).
    return ApiError(400, {"error": f"Contact with id {contact_id} not found", "status": 400})


def not_found_record(kind: str) -> ApiError:
    return ApiError(400, {"statusCode": 400, "message": f"{kind} not found", "error": "Bad Request"})
