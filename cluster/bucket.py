"""Create the media bucket, readable by anyone, as a deployment's bucket policy would make it.

python -m cluster.bucket http://127.0.0.1:PORT BUCKET
"""

import json
import sys

import boto3


def bucket_create(endpoint: str, bucket: str) -> None:
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


if __name__ == "__main__":
    bucket_create(sys.argv[1], sys.argv[2])
