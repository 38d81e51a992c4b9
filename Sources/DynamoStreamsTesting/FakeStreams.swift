public import DynamoStreams
