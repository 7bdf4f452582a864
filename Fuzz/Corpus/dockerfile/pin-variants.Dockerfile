FROM ${BASE} AS a
FROM a
FROM scratch
FROM localhost:5000/x/y:1 AS b
FROM oci:./layout:v1
from [::1]:5000/api
