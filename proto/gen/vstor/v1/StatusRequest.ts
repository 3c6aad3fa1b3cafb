// Original file: proto/vstor/v1/cluster.proto


export interface StatusRequest {
}

export interface StatusRequest__Output {
}
