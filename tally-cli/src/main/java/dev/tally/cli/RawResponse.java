package dev.tally.cli;

import java.util.Map;
import java.util.Optional;

/** One response read by {@link RawHttpConnection}; header names are lower case. */
record RawResponse(int status, Map<String, String> headers, byte[] body, boolean closeConnection) {
    Optional<String> header(String lowerCaseName) {
        return Optional.ofNullable(headers.get(lowerCaseName));
    }

    ApiResponse toApiResponse() {
        return new ApiResponse(status, body, header("retry-after"));
    }
}
